#!/usr/bin/env bash
# Whole rounds and a stream-K last round in one `_stream_k` launch (3fe2531) against main
# (bench-main, c83b481), on the large shapes whose 128x128 path moved (8192x8192xK, 15 whole
# rounds and 136 tiles): new and main in turns, twice; memcheck and synccheck over the quick
# persistent 128x128 tests; then the default suite for bench/results/h100-tensor-cores.*.
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
L="--shape 8192x8192x8192 --shape 8192x8192x2048 --shape 8192x8192x4096 --shape 8192x8192x16384 --shape 8190x8190x6000 --shape 8200x8100x6000"
for i in 1 2; do
  s=$(date +%s); timeout 100 ./tessera-bench --dtype bf16 --kernel mma_sync/128x128 $L --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 100 ./bench-main --dtype bf16 --kernel mma_sync/128x128 $L --out $c/results --name main$i --no-plot > $c/main$i.log 2>&1; echo "main$i rc=$? seconds=$(( $(date +%s) - s ))"
done
for tool in memcheck synccheck; do
  s=$(date +%s); TESSERA_CASES=2 timeout 60 compute-sanitizer --tool $tool --error-exitcode 1 ./gpu-tests --quick mma_sync/128x128/persistent > $c/$tool-persistent.log 2>&1; echo "$tool rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/$tool-persistent.log
done
s=$(date +%s); timeout 240 ./tessera-bench --dtype bf16 --dtype f16 --out $c/suite --name tensor-cores --no-plot > $c/tensor-cores.log 2>&1; echo "suite rc=$? seconds=$(( $(date +%s) - s ))"
cd $OUT && tar czf c.tgz c && rm -rf c
