#!/bin/bash
# The pending GPU tests of the rounds property and the 5000x5496 tails, then main's benchmark
# (bench-main) and the build with an L2 flush before every timed call (bench-new) in turns,
# twice, bf16, both tiles: shapes where both rows ran one kernel (A), the shapes below 0.98
# (M), new random shapes (R) and squares (Q).
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 200 ./gpu-tests "rounds of small problems" "tail 5000x5496" > $c/gpu-tests-pending.log 2>&1; echo "gpu-tests-pending rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
A="--shape 2509x1640x4280 --shape 6462x560x7632"
M="--shape 7321x7896x3464 --shape 7330x5768x4728 --shape 3838x3064x3320 --shape 2320x7016x7720 --shape 5000x5000x5000 --shape 3848x2760x6040 --shape 5087x2424x952 --shape 2566x2600x5704"
R="--shape 4031x1192x6264 --shape 7508x6640x1032 --shape 373x5496x3480 --shape 3453x3200x7896 --shape 4748x7328x5960 --shape 721x2160x6352 --shape 3194x1040x5528 --shape 7517x4304x1808"
Q="--shape 8192x8192x8192 --shape 4096x4096x4096 --shape 2048x2048x2048 --shape 1024x1024x1024"
lim=150
for i in 1 2; do
  for b in main new; do
    s=$(date +%s); timeout $lim ./bench-$b --dtype bf16 --kernel mma_sync $A $M $R $Q --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
    lim=90
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
