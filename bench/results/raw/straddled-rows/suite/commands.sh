#!/bin/bash
# The default benchmark suite for the tensor-core kernels, bf16 and f16, on the build of
# 5f69a82 (the code of f136be7: later commits changed docs only), as bench/results/README.md
# lists it for h100-tensor-cores.*.
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x tessera-bench
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 330 ./tessera-bench --dtype bf16 --dtype f16 --out $c/results --name tensor-cores --no-plot > $c/tensor-cores.log 2>&1; echo "suite rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
cd $OUT && tar czf c.tgz c && rm -rf c
