#!/usr/bin/env bash
# Main's build (bench-head, the kernels of main): persistent over naive for the 128x128
# mma.sync kernels on one whole round plus a tail of at most one tile per block (tail blocks
# whose teams share their tile), K from 6 to 48 k-tiles, twice. Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-head
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S=""
for k in 384 768 1024 1536 2048 2560 3072; do S="$S --shape 1536x3072x$k"; done
for k in 512 1280 2304; do S="$S --shape 2176x2176x$k"; done
for k in 640 1792; do S="$S --shape 1920x2560x$k"; done
for k in 1024 2048; do S="$S --shape 2560x2048x$k"; done
for k in 768 1536 2816; do S="$S --shape 2432x2432x$k"; done
S="$S --shape 1384x3864x528 --shape 2136x2064x352"
for i in 1 2; do
  s=$(date +%s); timeout 120 ./bench-head --dtype bf16 --kernel mma_sync/128x128 $S --out $c/results --name head$i --no-plot > $c/head$i.log 2>&1; echo "head$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
