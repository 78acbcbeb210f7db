#!/bin/bash
# The build of 5f69a82 (stream-K splits after one whole round with straddling rows run
# naive too): the persistent 128 x 128 GPU tests in four shards, then the benchmark, bf16,
# mma_sync, twice, on 10 new random straddling shapes, 6 new random aligned ones, 4 new random
# straddling ones of one to three whole rounds of 128 x 128 tiles, the final run's misses
# (2548x2504x3224, 6332x6056x7024) and 1532x4696x3840, 5156x3832x3496, 8192^3.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 400 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x tessera-bench gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); pids=()
for i in 0 1 2 3; do timeout 200 ./gpu-tests --shard=$i/4 "128x128/persistent" > $c/gpu-tests-$i.log 2>&1 & pids+=($!); done
for i in 0 1 2 3; do wait ${pids[$i]}; echo "gpu-tests shard $i rc=$?" >> $c/rc.txt; done
echo "gpu-tests seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
S="--shape 7068x5128x1792 --shape 3972x5864x856 --shape 3164x7768x1872 --shape 1612x6648x1672 --shape 5284x7176x1856 --shape 5404x6488x7776 --shape 3436x4824x7656 --shape 7940x2040x5680 --shape 1916x5336x6384 --shape 6324x1320x2312"
A="--shape 7028x6240x5688 --shape 3276x7568x1224 --shape 1596x7472x4736 --shape 1996x5232x7144 --shape 3412x6256x3152 --shape 7444x7936x1720"
R="--shape 4788x1464x5688 --shape 2316x2936x5760 --shape 3524x4232x4240 --shape 6124x2536x2456 --shape 2548x2504x3224 --shape 1532x4696x3840 --shape 6332x6056x7024 --shape 5156x3832x3496 --shape 8192x8192x8192"
for i in 1 2; do
  l=$(left); [ $l -gt 30 ] || { echo "verify$i skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); timeout $l ./tessera-bench --dtype bf16 --kernel mma_sync $S $A $R --out $c/results --name verify$i --no-plot > $c/verify$i.log 2>&1
  echo "verify$i rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
