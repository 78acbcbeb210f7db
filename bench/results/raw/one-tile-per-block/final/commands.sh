#!/usr/bin/env bash
# The final rule (shared tiles from 40 k-tiles; 128x256 grids of up to a round and a half run
# the naive kernel) against main before these changes (bench-head): the quick mma.sync GPU
# tests, every 128x256 persistent GPU test, then new and main in turns, twice, on the shapes
# whose path moved. Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-head
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 140 ./gpu-tests --quick mma_sync > $c/gpu-tests-quick.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-quick.log
s=$(date +%s); timeout 100 ./gpu-tests mma_sync/128x256/persistent > $c/gpu-tests-128x256-persistent.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-128x256-persistent.log
T="--shape 1496x3000x2504 --shape 777x5000x3000 --shape 1280x1280x2560 --shape 2136x2064x352 --shape 1384x3864x528 --shape 640x6784x4096 --shape 1448x3208x7944 --shape 2488x1856x2528 --shape 2560x2560x2560 --shape 1536x3072x2560 --shape 2432x2432x2816 --shape 4072x1296x6128 --shape 1992x2376x6560"
for i in 1 2; do
  s=$(date +%s); timeout 40 ./tessera-bench --dtype bf16 --kernel mma_sync $T --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 60 ./bench-head --dtype bf16 --kernel mma_sync $T --out $c/results --name head$i --no-plot > $c/head$i.log 2>&1; echo "head$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
