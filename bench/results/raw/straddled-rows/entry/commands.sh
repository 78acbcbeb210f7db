#!/bin/bash
# The build of 1df33aa (Gemm::entry_point, and matmul through the same preparation):
# the entry-point test and the quick bf16 tests of the persistent mma.sync kernels, auto and
# the persistent fp32 kernel, in four shards; then the benchmark, bf16, mma_sync, on three
# shapes, with its new entry-point column.
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x tessera-bench gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); pids=()
for i in 0 1 2 3; do timeout 120 ./gpu-tests --quick --shard=$i/4 "entry points" "mma_sync/128x256/persistent bf16->bf16" "mma_sync/128x128/persistent bf16->bf16" "auto bf16->bf16" "tiled_f32/persistent f32" > $c/gpu-tests-$i.log 2>&1 & pids+=($!); done
for i in 0 1 2 3; do wait ${pids[$i]}; echo "gpu-tests shard $i rc=$?" >> $c/rc.txt; done
echo "gpu-tests seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
s=$(date +%s); timeout 60 ./tessera-bench --dtype bf16 --kernel mma_sync --shape 5000x5000x5000 --shape 2548x2504x3224 --shape 8192x8192x8192 --out $c/results --name entry --no-plot > $c/entry.log 2>&1; echo "entry rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
cd $OUT && tar czf c.tgz c && rm -rf c
