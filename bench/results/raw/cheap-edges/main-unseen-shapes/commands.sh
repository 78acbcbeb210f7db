#!/usr/bin/env bash
# Main's mma.sync bf16 rows (bundle of 578ea92) on shapes with and without edges in M, N, K,
# and on shapes outside the suite with leading dimensions that are multiples of 8; two runs.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 3000x5000x2000 --shape 3072x5120x2048 --shape 3072x5120x2000 --shape 3000x5000x2048 --shape 3072x5120x1984 --shape 1000x1000x1000 --shape 1496x3000x2504 --shape 2504x2504x2504 --shape 4000x3000x776 --shape 1112x2224x3336 --shape 1776x6000x1000 --shape 5000x5000x5000 --shape 3336x1232x4320 --shape 7000x3000x2000 --shape 200x8000x4000 --shape 6000x600x3000"
for i in 1 2; do
  s=$(date +%s); timeout 200 ./tessera-bench --dtype bf16 --kernel mma_sync $S --out $c/results --name diag$i --no-plot > $c/diag$i.log 2>&1; echo "diag$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz --remove-files c
