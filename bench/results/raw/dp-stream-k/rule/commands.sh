#!/usr/bin/env bash
# The rule with at most three whole rounds before a stream-K last round (this build) against
# main (bench-main, c83b481): new and main in turns, twice, bf16 128x128, on large shapes that
# now keep main's path (L), shapes of one to three whole rounds whose path moved (H), and
# unseen random ones whose path moved (U); then memcheck and synccheck over the split-round
# tests of the persistent 128x128 kernels. Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-main
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
L="--shape 8192x8192x8192 --shape 8192x8192x4096 --shape 6944x2728x4688"
H="--shape 2504x2504x2504 --shape 4191x1576x4904 --shape 1616x3928x3800 --shape 3848x2760x6040 --shape 763x14424x2000 --shape 2784x5488x2888 --shape 6320x2424x4432"
U="--shape 1888x3704x6168 --shape 6600x968x4096 --shape 1656x4136x5856 --shape 3576x1896x7624 --shape 4624x1296x7872 --shape 1848x3360x3008 --shape 2864x3640x2392 --shape 2488x2512x5632"
for i in 1 2; do
  s=$(date +%s); timeout 120 ./tessera-bench --dtype bf16 --kernel mma_sync/128x128 $L $H $U --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 120 ./bench-main --dtype bf16 --kernel mma_sync/128x128 $L $H $U --out $c/results --name main$i --no-plot > $c/main$i.log 2>&1; echo "main$i rc=$? seconds=$(( $(date +%s) - s ))"
done
for tool in memcheck synccheck; do
  s=$(date +%s); TESSERA_CASES=2 timeout 90 compute-sanitizer --tool $tool --error-exitcode 1 ./gpu-tests "128x128/persistent bf16->bf16 split round" "128x128/persistent f16->f32 split round" > $c/$tool-split.log 2>&1; echo "$tool rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/$tool-split.log
done
cd $OUT && tar czf c.tgz c && rm -rf c
