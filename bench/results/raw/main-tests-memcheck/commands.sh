#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs are written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-v6
t0=$(date +%s)
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 430 ./run-tests.sh > $c/gpu-tests.log 2>&1; echo "rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests.log
s=$(date +%s); TESSERA_CASES=2 timeout 100 compute-sanitizer --tool memcheck --error-exitcode 1 ./gpu-tests --quick mma_sync > $c/memcheck-mma_sync.log 2>&1; echo "rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/memcheck-mma_sync.log
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
S="--shape 1024 --shape 2048 --shape 4096 --shape 8192 --shape 8192x8192x512 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 6144x6144x1024 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --shape 1536x2560x1792 --shape 5120x1280x4096"
i=1
while [ $(( $(date +%s) - t0 )) -lt 500 ]; do
  timeout 40 ./tessera-bench --dtype bf16 --kernel mma_sync $S --out $c/results --name main$i --no-plot > $c/main$i.log 2>&1 || echo "main$i failed"
  timeout 40 ./bench-v6 --dtype bf16 --kernel mma_sync $S --out $c/results --name v6$i --no-plot > $c/v6$i.log 2>&1 || echo "v6$i failed"
  i=$((i+1))
done
cd $OUT && tar czf c.tgz --remove-files c && ls -la
