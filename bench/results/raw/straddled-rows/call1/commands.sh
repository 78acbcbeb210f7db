#!/bin/bash
# HEAD (266aaad) plus the --shard option of the GPU tests: the whole GPU test suite in four
# shards side by side, racecheck and synccheck over a claimed case, then the benchmark (bf16,
# mma_sync, both tiles) on 16 new random shapes whose B rows are an odd number of 16-byte
# chunks apart and 5 whose rows are sector-aligned, twice.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 575 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x tessera-bench gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); pids=()
for i in 0 1 2 3; do timeout 270 ./gpu-tests --shard=$i/4 > $c/gpu-tests-$i.log 2>&1 & pids+=($!); done
for i in 0 1 2 3; do wait ${pids[$i]}; echo "gpu-tests shard $i rc=$?" >> $c/rc.txt; done
echo "gpu-tests seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
SAN=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null | head -1)
for tool in racecheck synccheck; do
  s=$(date +%s); TESSERA_CASES=1 timeout 45 $SAN --tool $tool --error-exitcode 1 ./gpu-tests --quick "mma_sync/128x128/persistent bf16->bf16 claimed 5000x5496x500" > $c/$tool-claimed.log 2>&1; echo "$tool-claimed rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
S="--shape 1644x4056x2224 --shape 3044x6984x5992 --shape 1820x4296x5208 --shape 6004x6168x3784 --shape 3020x4184x7256 --shape 3084x3784x1856 --shape 3028x5960x576 --shape 4236x4696x3216 --shape 3684x7800x5776 --shape 5476x7912x1104 --shape 1588x3832x2808 --shape 2716x7384x3048 --shape 2068x1928x4736 --shape 5988x6408x1832 --shape 5516x4728x5416 --shape 2004x7112x3832"
A="--shape 6660x7328x816 --shape 4188x6448x5136 --shape 3660x2640x1224 --shape 6828x5648x3400 --shape 7156x6400x2472"
for i in 1 2; do
  l=$(left); [ $l -gt 40 ] || { echo "bench$i skipped, $l s left" >> $c/rc.txt; break; }
  s=$(date +%s); timeout $l ./tessera-bench --dtype bf16 --kernel mma_sync $S $A --out $c/results --name bench$i --no-plot > $c/bench$i.log 2>&1
  echo "bench$i rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
