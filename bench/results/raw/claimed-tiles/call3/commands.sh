#!/bin/bash
# Claimed tiles (persistent calls of at least one whole round and 4 k-tiles run the
# `_claimed` kernels): the GPU tests' large cases, which take that path, then the benchmark
# without claims (bench-flush: L2 flush and shuffled turns) and with them (bench-claimed)
# in turns, twice, bf16, both tiles.
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 150 ./gpu-tests "4096x4096x4096" "4095x4097x1000" "8192x8192x8192" > $c/gpu-tests-large.log 2>&1; echo "gpu-tests-large rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
M="--shape 7321x7896x3464 --shape 7330x5768x4728 --shape 3838x3064x3320 --shape 2320x7016x7720 --shape 5000x5000x5000 --shape 3848x2760x6040 --shape 5087x2424x952 --shape 2566x2600x5704"
W="--shape 4748x7328x5960 --shape 7508x6640x1032 --shape 7517x4304x1808 --shape 3453x3200x7896 --shape 4031x1192x6264"
R="--shape 1649x5584x7872 --shape 6681x3952x2664 --shape 3374x7104x7240 --shape 4514x3320x2024 --shape 2370x1992x1504 --shape 5388x2840x6592"
Q="--shape 8192x8192x8192 --shape 4096x4096x4096 --shape 6144x6144x6144"
for i in 1 2; do
  for b in flush claimed; do
    s=$(date +%s); timeout 100 ./bench-$b --dtype bf16 --kernel mma_sync $M $W $R $Q --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
