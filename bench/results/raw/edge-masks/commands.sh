#!/usr/bin/env bash
# One call on an H100: bench-main is the benchmark of the bundle of aafafde, bench-masks that of
# branch edge-masks (both built with `cargo build --release -p tessera-bench`). $OUT is the
# folder the outputs were written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-*
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 1024 --shape 2048 --shape 4096 --shape 8192 --shape 8192x8192x512 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 6144x6144x1024 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --shape 1536x2560x1792 --shape 5120x1280x4096"
for i in 1 2; do for n in main masks; do
  s=$(date +%s); timeout 120 ./bench-$n --dtype bf16 --kernel mma_sync $S --out $c/results --name $n$i --no-plot > $c/$n$i.log 2>&1; echo "$n$i rc=$? seconds=$(( $(date +%s) - s ))"
done; done
cd $OUT && tar czf c.tgz --remove-files c
