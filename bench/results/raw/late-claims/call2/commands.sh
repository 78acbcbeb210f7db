#!/bin/bash
# Where the spread of one kernel's time from one process to the next comes from: the
# benchmark with its operands in four copies that the rounds rotate through (the late-claims
# build), printing each call's median per copy (DEBUG-COPIES lines), three processes in a row;
# then memcheck, racecheck and synccheck over the claimed case of the late-claims build.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 585 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 6644x2832x6008 --shape 6332x6056x7024 --shape 2356x6136x5224 --shape 6776x5080x1808 --shape 7596x3960x1040 --shape 4448x5512x7328 --shape 5000x5000x5000 --shape 3172x5944x5736 --shape 5284x7176x1856 --shape 8192x8192x8192 --shape 3276x7568x1224 --shape 2548x2504x3224"
for i in 1 2 3; do
  l=$(left); [ $l -gt 60 ] || { echo "copies$i skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); timeout $l ./bench-debug --dtype bf16 --kernel mma_sync $S --out $c/results --name copies$i --no-plot > $c/copies$i.log 2>&1
  echo "copies$i rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
T="mma_sync/128x128/persistent bf16->bf16 claimed 5000x5496x500"
for tool in memcheck racecheck synccheck; do
  l=$(left); [ $l -gt 20 ] || { echo "$tool skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); TESSERA_CASES=1 timeout $(( l < 120 ? l : 120 )) compute-sanitizer --tool $tool --error-exitcode 1 ./gpu-tests --quick "$T" > $c/sanitizer-$tool.log 2>&1
  echo "$tool rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
