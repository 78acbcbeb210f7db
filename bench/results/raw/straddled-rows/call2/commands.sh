#!/bin/bash
# The rule that runs one-team persistent mma.sync grids (128 x 256) whose B rows straddle
# 32-byte sectors as one block per tile. GPU tests that the rule touches (128x256/persistent,
# auto) and those call1's shards 1 and 3 did not reach ([163 KiB], [99 KiB], another
# context), in four shards; then the benchmark, bf16, mma_sync, before (bench-old) and after
# (bench-new), twice each in turns, on 20 new random shapes with straddling rows (five stream-K
# shapes after one whole round of 128 x 128 tiles, five after two, five persistent 128 x 128
# ones of one or two whole rounds, five claimed ones), four known ones and 8192^3.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 580 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); pids=()
for i in 0 1 2 3; do timeout 240 ./gpu-tests --shard=$i/4 "128x256/persistent" "auto" "[163 KiB" "[99 KiB" "another context" > $c/gpu-tests-$i.log 2>&1 & pids+=($!); done
for i in 0 1 2 3; do wait ${pids[$i]}; echo "gpu-tests shard $i rc=$?" >> $c/rc.txt; done
echo "gpu-tests seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
S="--shape 6140x1112x6192 --shape 2868x2328x6272 --shape 3948x1544x3016 --shape 3068x2312x6384 --shape 2236x3176x3600 --shape 1572x6936x6712 --shape 3900x2696x3824 --shape 2964x3640x4024 --shape 6276x1784x3960 --shape 3508x2984x7200 --shape 5292x1832x2952 --shape 2660x2008x5520 --shape 1692x2552x6688 --shape 2372x3432x5056 --shape 1716x5864x7776 --shape 3172x5944x5736 --shape 3428x7080x2120 --shape 7580x7144x1584 --shape 2356x6136x5224 --shape 4036x3352x3968"
K="--shape 3838x3064x3320 --shape 4514x3320x2024 --shape 5000x5000x5000 --shape 7330x5768x4728 --shape 8192x8192x8192"
for i in 1 2; do
  for b in old new; do
    l=$(left); [ $l -gt 30 ] || { echo "$b$i skipped, $l s left" >> $c/rc.txt; continue; }
    s=$(date +%s); timeout $l ./bench-$b --dtype bf16 --kernel mma_sync $S $K --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
