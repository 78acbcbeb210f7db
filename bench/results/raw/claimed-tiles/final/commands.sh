#!/bin/bash
# The final build (claimed tiles for persistent 128 x 128 calls of three or more whole rounds
# where B's rows are an odd number of 16-byte chunks apart): the claimed GPU test cases on the
# persistent 128 x 128 kernel, then one benchmark run, bf16, 128 x 128, on ten new random
# shapes and three known ones.
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 110 ./bench-final --dtype bf16 --kernel mma_sync/128x128 --shape 5950x6400x1904 --shape 6631x7632x3640 --shape 6200x5928x3616 --shape 7040x7256x6088 --shape 6526x5072x5304 --shape 3685x5320x7432 --shape 5193x2448x6616 --shape 4776x6120x1824 --shape 7803x4760x7088 --shape 3614x7008x6568 --shape 7321x7896x3464 --shape 5000x5000x5000 --shape 8192x8192x8192 --out $c/results --name final --no-plot > $c/final.log 2>&1; echo "final rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
s=$(date +%s); timeout 40 ./gpu-tests "128x128/persistent bf16->bf16 claimed" "128x128/persistent f16->f32 claimed" "128x128/persistent bf16->f32 claimed" "128x128/persistent f16->f16 claimed" > $c/gpu-tests-claimed.log 2>&1; echo "gpu-tests-claimed rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
cd $OUT && tar czf c.tgz c && rm -rf c
