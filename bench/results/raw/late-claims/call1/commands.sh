#!/bin/bash
# Claims made one k-tile before the producer needs them (late) against main's claims (made when
# a tile starts), and an experiment (exp: late claims, a 128 x 256 claimed kernel, and claims in
# place of every other persistent mma.sync grid of one whole round or more, except where a
# grid of teams shares a tail). The persistent 128 x 128 GPU tests on the late build, then the
# benchmark, bf16, mma_sync, builds in the order late main exp exp main late.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 585 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
# JIT the other two builds' PTX into the cache while the tests run.
for b in main exp; do ./bench-$b --dtype bf16 --kernel mma_sync --shape 256 --reps 1 --warmup 1 --warmup-ms 0 --out $c/jit --name jit-$b --no-plot > $c/jit-$b.log 2>&1 & done
s=$(date +%s); pids=()
for i in 0 1 2 3; do timeout 200 ./gpu-tests --shard=$i/4 "128x128/persistent" > $c/gpu-tests-$i.log 2>&1 & pids+=($!); done
for i in 0 1 2 3; do wait ${pids[$i]}; echo "gpu-tests shard $i rc=$?" >> $c/rc.txt; done
echo "gpu-tests seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
wait
K="--shape 6332x6056x7024 --shape 5156x3832x3496 --shape 3172x5944x5736 --shape 2356x6136x5224 --shape 3428x7080x2120 --shape 5284x7176x1856"
S="--shape 7888x1800x368 --shape 6740x4248x3448 --shape 4448x5512x7328 --shape 7596x3960x1040 --shape 6776x5080x1808 --shape 5452x3224x3200 --shape 7372x5944x7088 --shape 3356x6392x3624 --shape 4932x4472x5280"
A="--shape 2204x6448x2976 --shape 6596x2848x1840 --shape 4592x3136x2792 --shape 6644x2832x6008 --shape 8192x8192x8192 --shape 3276x7568x1224"
R="--shape 2556x2904x952 --shape 4952x1416x3280 --shape 1480x7160x544 --shape 2548x2504x3224 --shape 4514x3320x2024"
W="--shape 7144x7448x3776 --shape 5352x2536x760 --shape 4792x5080x5352 --shape 5000x5000x5000"
for b in late main exp exp main late; do
  n=$b$( [ -e $c/results/${b}1.json ] && echo 2 || echo 1 )
  l=$(left); [ $l -gt 40 ] || { echo "$n skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); timeout $l ./bench-$b --dtype bf16 --kernel mma_sync $K $S $A $R $W --out $c/results --name $n --no-plot > $c/$n.log 2>&1
  echo "$n rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
