#!/usr/bin/env bash
# One tile per block (new) against main (bench-head): the quick mma.sync GPU tests, every
# persistent mma.sync GPU test, memcheck on the quick 128x128 persistent ones, then new and main
# in turns, twice, on one-round shapes (both tiles). Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-head
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
X="--shape 1024 --shape 1024x1024x1536 --shape 1024x1024x2048 --shape 1024x1024x3072 --shape 1408x1536x1024 --shape 879x776x400 --shape 120x30720x2048 --shape 7148x424x640 --shape 6000x600x3000 --shape 2000x1000x2048 --shape 2048 --shape 1000 --shape 512x512x4096 --shape 1280x1280x2560 --shape 333x2900x1200 --shape 1700x1900x700 --shape 640x3000x1800 --shape 2200x1400x4000 --shape 96x8000x8000 --shape 1536x2816x512 --shape 4509x456x4096"
s=$(date +%s); timeout 150 ./gpu-tests --quick mma_sync > $c/gpu-tests-quick.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-quick.log
s=$(date +%s); timeout 150 ./gpu-tests mma_sync/128x128/persistent mma_sync/128x256/persistent > $c/gpu-tests-persistent.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-persistent.log
s=$(date +%s); TESSERA_CASES=2 timeout 60 compute-sanitizer --tool memcheck --error-exitcode 1 ./gpu-tests --quick mma_sync/128x128/persistent > $c/memcheck-persistent.log 2>&1; echo "memcheck rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/memcheck-persistent.log
for i in 1 2; do
  s=$(date +%s); timeout 60 ./tessera-bench --dtype bf16 --kernel mma_sync $X --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 60 ./bench-head --dtype bf16 --kernel mma_sync $X --out $c/results --name head$i --no-plot > $c/head$i.log 2>&1; echo "head$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
