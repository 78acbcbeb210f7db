#!/bin/bash
# A/B: 128x256 persistent with tail blocks (bench-tail) against main (bench-main), in turns.
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* 2>/dev/null
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
K="--shape 5000x5000x5000 --shape 3848x2760x6040 --shape 763x14424x2000 --shape 2864x3640x2392 --shape 7128x1192x2824 --shape 7063x1400x1560 --shape 1776x6000x1000
 --shape 4096x4096x4096 --shape 8192x8192x8192 --shape 8192x8192x512 --shape 6144x6144x1024 --shape 6000x4000x1000 --shape 4085x5904x480 --shape 5112x5936x528"
U="--shape 5602x2568x6232 --shape 3437x6992x5816 --shape 4314x6832x2200 --shape 7614x2496x3272 --shape 4954x1312x4856 --shape 2275x3816x2448 --shape 1991x7984x6432 --shape 3690x1784x6400"
lim=240
for i in 1 2; do
  for b in main tail; do
    s=$(date +%s); timeout $lim ./bench-$b --dtype bf16 --kernel mma_sync/128x256 $K $U --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
    lim=150
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
