#!/usr/bin/env bash
# Main's build (bench-head): persistent over naive for the 128x128 mma.sync kernels on grids of
# at most one tile per block (count <= 132), K from 400 to 8192, twice. Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-head
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 1024x1024x1024 --shape 1024x1024x1536 --shape 1024x1024x2048 --shape 1024x1024x3072 --shape 1024x1024x4096 --shape 1408x1536x1024 --shape 1408x1536x2048 --shape 1408x1536x3072 --shape 1408x1536x4096 --shape 512x512x2048 --shape 512x512x4096 --shape 512x512x8192 --shape 879x776x400 --shape 1280x1280x1536 --shape 1280x1280x2560 --shape 2000x1000x2048"
for i in 1 2; do
  s=$(date +%s); timeout 100 ./bench-head --dtype bf16 --kernel mma_sync/128x128 $S --out $c/results --name head$i --no-plot > $c/head$i.log 2>&1; echo "head$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
