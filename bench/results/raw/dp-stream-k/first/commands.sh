#!/usr/bin/env bash
# Whole rounds, then the last round split stream-K, in one launch of the `_stream_k` kernel
# (this build) against main (bench-main): the quick mma.sync GPU tests, every 128x128
# persistent GPU test, memcheck on the quick 128x128 persistent ones, then new and main in
# turns, twice, on shapes whose path moved and two that did not. Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-main
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 150 ./gpu-tests --quick mma_sync > $c/gpu-tests-quick.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-quick.log
s=$(date +%s); timeout 130 ./gpu-tests mma_sync/128x128/persistent > $c/gpu-tests-128x128-persistent.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-128x128-persistent.log
s=$(date +%s); TESSERA_CASES=2 timeout 60 compute-sanitizer --tool memcheck --error-exitcode 1 ./gpu-tests --quick mma_sync/128x128/persistent > $c/memcheck-persistent.log 2>&1; echo "memcheck rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/memcheck-persistent.log
T="--shape 2504x2504x2504 --shape 4191x1576x4904 --shape 5120x1280x4096 --shape 2560x2560x2560 --shape 976x6336x6592 --shape 1075x5664x5960 --shape 763x14424x2000 --shape 1600x6456x3312 --shape 1616x3928x3800 --shape 1952x5280x3592 --shape 6320x2424x4432 --shape 4496x3256x7952 --shape 7904x1392x4064 --shape 4608x1496x4800 --shape 1112x2224x2000 --shape 2048x2048x2048"
for i in 1 2; do
  s=$(date +%s); timeout 60 ./tessera-bench --dtype bf16 --kernel mma_sync/128x128 $T --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 60 ./bench-main --dtype bf16 --kernel mma_sync/128x128 $T --out $c/results --name main$i --no-plot > $c/main$i.log 2>&1; echo "main$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
