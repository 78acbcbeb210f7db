#!/bin/bash
# The final build (51a7907): the whole GPU test suite in six shards side by side, then the
# benchmark, bf16, mma_sync, twice: 12 new random shapes whose B rows straddle 32-byte sectors,
# 8 new random sector-aligned ones, 8 new random straddling ones of one to three whole rounds of
# 128 x 128 tiles, and 8192^3, 4096^3, 2048^3.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 580 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x tessera-bench gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); pids=()
for i in 0 1 2 3 4 5; do timeout 340 ./gpu-tests --shard=$i/6 > $c/gpu-tests-$i.log 2>&1 & pids+=($!); done
for i in 0 1 2 3 4 5; do wait ${pids[$i]}; echo "gpu-tests shard $i rc=$?" >> $c/rc.txt; done
echo "gpu-tests seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
S="--shape 5604x6760x6600 --shape 4668x5048x7480 --shape 3172x6728x1360 --shape 6332x6056x7024 --shape 7564x2856x5296 --shape 6844x5976x3112 --shape 4388x6440x528 --shape 3236x7368x1512 --shape 5156x3832x3496 --shape 5220x4984x3216 --shape 3404x1400x5568 --shape 6700x4648x2336"
A="--shape 6188x6992x6512 --shape 1828x7616x7960 --shape 5908x2576x4440 --shape 6804x3168x1632 --shape 1844x3216x6800 --shape 3452x7344x824 --shape 3316x3808x5760 --shape 7036x7200x1696"
R="--shape 2548x2504x3224 --shape 1532x4696x3840 --shape 3964x2872x7128 --shape 5652x2600x2952 --shape 1980x2952x7296 --shape 1612x6232x6296 --shape 7740x4408x1312 --shape 4196x3080x2408"
Q="--shape 8192x8192x8192 --shape 4096x4096x4096 --shape 2048x2048x2048"
for i in 1 2; do
  l=$(left); [ $l -gt 30 ] || { echo "final$i skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); timeout $l ./tessera-bench --dtype bf16 --kernel mma_sync $S $A $R $Q --out $c/results --name final$i --no-plot > $c/final$i.log 2>&1
  echo "final$i rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
