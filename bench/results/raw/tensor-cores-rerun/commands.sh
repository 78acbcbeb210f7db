#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs are written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-*
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
timeout 480 ./bench-base --dtype bf16 --dtype f16 --out $c/results --name tensor-cores --no-plot > $c/bench-tensor-cores.log 2>&1; echo "bench rc=$?" | tee -a $c/bench-tensor-cores.log
cd $OUT && tar czf c.tgz --remove-files c && ls -la
