#!/bin/bash
# The final build (late claims, the benchmark over four copies of the operands): the whole GPU
# test suite in six shards side by side; the tensor-core suite (bf16 and f16, every kernel);
# then mma_sync on 22 new random shapes and 8192^3, 4096^3, 2048^3.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 585 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x tessera-bench gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); pids=()
for i in 0 1 2 3 4 5; do timeout 330 ./gpu-tests --shard=$i/6 > $c/gpu-tests-$i.log 2>&1 & pids+=($!); done
for i in 0 1 2 3 4 5; do wait ${pids[$i]}; echo "gpu-tests shard $i rc=$?" >> $c/rc.txt; done
echo "gpu-tests seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
l=$(left)
if [ $l -gt 60 ]; then
  s=$(date +%s); timeout $l ./tessera-bench --dtype bf16 --dtype f16 --out $c/results --name tensor-cores --no-plot > $c/tensor-cores.log 2>&1
  echo "tensor-cores rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
else echo "tensor-cores skipped, $l s left" >> $c/rc.txt; fi
S="--shape 7664x3912x1328 --shape 832x5560x3448 --shape 3704x3136x2504 --shape 2112x4728x4296 --shape 796x7176x4096 --shape 1888x1784x4952 --shape 6848x6016x4152 --shape 1580x728x1288 --shape 4740x1672x1728 --shape 3356x1504x1656 --shape 6480x2456x7328 --shape 6240x5176x5728 --shape 5752x2424x7696 --shape 4248x1008x7728 --shape 2844x3264x288 --shape 3212x7808x1632 --shape 4832x3264x5760 --shape 3512x5480x3480 --shape 3904x3136x6296 --shape 3112x6952x1624 --shape 3420x5432x4840 --shape 4572x2704x3864"
Q="--shape 8192x8192x8192 --shape 4096x4096x4096 --shape 2048x2048x2048"
l=$(left)
if [ $l -gt 30 ]; then
  s=$(date +%s); timeout $l ./tessera-bench --dtype bf16 --kernel mma_sync $S $Q --out $c/results --name random --no-plot > $c/random.log 2>&1
  echo "random rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
else echo "random skipped, $l s left" >> $c/rc.txt; fi
cd $OUT && tar czf c.tgz c && rm -rf c
