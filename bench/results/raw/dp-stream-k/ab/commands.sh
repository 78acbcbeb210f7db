#!/usr/bin/env bash
# Whole rounds and a stream-K last round in one `_stream_k` launch (this build) against main
# (bench-main, c83b481): every split-round GPU test, memcheck over them, then new and main in
# turns, twice, bf16 128x128 on: shapes whose path moved (H), unseen random ones whose path
# moved (U), unseen random ones whose path did not (O), and one-round stream-K shapes (S).
# Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-main
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 100 ./gpu-tests "split round" > $c/gpu-tests-split.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-split.log
s=$(date +%s); TESSERA_CASES=2 timeout 80 compute-sanitizer --tool memcheck --error-exitcode 1 ./gpu-tests "persistent bf16->bf16 split round" > $c/memcheck-split.log 2>&1; echo "memcheck rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/memcheck-split.log
H="--shape 2504x2504x2504 --shape 4191x1576x4904 --shape 5120x1280x4096 --shape 2560x2560x2560 --shape 976x6336x6592 --shape 1075x5664x5960 --shape 763x14424x2000 --shape 1600x6456x3312 --shape 1616x3928x3800 --shape 1952x5280x3592 --shape 6320x2424x4432 --shape 4496x3256x7952 --shape 7904x1392x4064 --shape 4608x1496x4800"
U="--shape 6944x2728x4688 --shape 4264x1488x6128 --shape 2224x6688x4440 --shape 2504x5936x6856 --shape 3848x2760x6040 --shape 6064x2472x6752 --shape 2784x5488x2888 --shape 968x6832x5680 --shape 1232x5624x8040 --shape 2064x2976x2680"
O="--shape 7112x1456x1616 --shape 2576x3480x2192 --shape 7824x960x6776 --shape 1576x4056x528 --shape 6360x1920x584 --shape 6376x2496x4136 --shape 1640x3400x7944 --shape 2320x7016x7720 --shape 2048x2048x2048"
S="--shape 1112x2224x2000 --shape 4509x456x4096 --shape 1112x2224x3336 --shape 1200x2000x3000 --shape 502x5048x2336"
for i in 1 2; do
  s=$(date +%s); timeout 100 ./tessera-bench --dtype bf16 --kernel mma_sync/128x128 $H $U $O $S --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 100 ./bench-main --dtype bf16 --kernel mma_sync/128x128 $H $U $O $S --out $c/results --name main$i --no-plot > $c/main$i.log 2>&1; echo "main$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
