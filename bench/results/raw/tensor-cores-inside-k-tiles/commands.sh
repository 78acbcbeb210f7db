#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs are written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench bench-v6
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 200 ./run-bench.sh --dtype bf16 --dtype f16 --out $c/results --name tensor-cores --no-plot > $c/tensor-cores.log 2>&1; echo "rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/tensor-cores.log
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
S="--shape 1024 --shape 2048 --shape 4096 --shape 8192 --shape 8192x8192x512 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 6144x6144x1024 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --shape 1536x2560x1792 --shape 5120x1280x4096"
for i in 1 2 3; do for n in main v6; do
  b=./bench-v6; [ $n = main ] && b=./tessera-bench
  s=$(date +%s); timeout 100 $b --dtype bf16 --kernel mma_sync $S --out $c/results --name $n$i --no-plot > $c/$n$i.log 2>&1; echo "$n$i rc=$? seconds=$(( $(date +%s) - s ))"
done; done
cd $OUT && tar czf c.tgz --remove-files c && ls -la
