#!/bin/bash
# The final build: GPU tests of the cases whose kernel moved, then main's benchmark
# (bench-main) and this build's (bench-new) in turns, twice, bf16, both tiles: 24 random
# shapes (R), the one-round splits with a large B (S), and the default suite's squares (Q).
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 90 ./gpu-tests "large B of tiles" "most of another of tiles 5297" > $c/gpu-tests-moved.log 2>&1; echo "gpu-tests-moved rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
R="--shape 7321x7896x3464 --shape 1335x360x5112 --shape 3453x3232x2688 --shape 2509x1640x4280 --shape 4299x320x6728 --shape 4099x1416x1336 --shape 4956x6376x5568 --shape 4158x1104x280 --shape 1294x4264x1224 --shape 1729x2880x1056 --shape 1660x6008x2008 --shape 7330x5768x4728 --shape 5731x5280x1976 --shape 7697x3776x560 --shape 7732x2368x2816 --shape 289x2736x7360 --shape 1634x4360x2816 --shape 5761x3040x5032 --shape 3487x3432x2688 --shape 6303x2640x6504 --shape 1630x2944x4984 --shape 4841x4096x2256 --shape 3865x768x6688 --shape 7464x6048x6984"
S="--shape 310x7088x5344 --shape 300x7000x5000 --shape 896x2560x8192"
Q="--shape 8192x8192x8192 --shape 4096x4096x4096 --shape 2048x2048x2048"
lim=150
for i in 1 2; do
  for b in main new; do
    s=$(date +%s); timeout $lim ./bench-$b --dtype bf16 --kernel mma_sync $R $S $Q --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
    lim=80
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
