#!/bin/bash
# The rules of this build: GPU tests of the cases they move, memcheck over the new split cases,
# then main's benchmark (bench-main) and this build's (bench-new) in turns, twice, bf16, both
# tiles, on unseen random shapes: A (teams, below 40 k-tiles, two to five whole rounds: now the
# naive kernel), C (a quarter saved after one or two whole rounds: now split), W (128 x 256,
# one and a half to three rounds: unchanged, for the record).
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 200 ./gpu-tests "three rounds and most" "split round" > $c/gpu-tests.log 2>&1; echo "gpu-tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
s=$(date +%s); TESSERA_CASES=2 timeout 90 compute-sanitizer --tool memcheck --error-exitcode 1 ./gpu-tests --quick "128x128/persistent bf16->bf16 split round" "128x128/persistent f16->f32 split round" "128x128/persistent bf16->f32 three rounds" > $c/memcheck.log 2>&1; echo "memcheck rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
A="--shape 2535x5056x672 --shape 1420x6864x264 --shape 4573x4824x1184 --shape 2260x5312x520 --shape 5852x3904x1224 --shape 4306x3440x408 --shape 7602x2592x752 --shape 2395x3584x328 --shape 4547x5488x208 --shape 7424x3208x1184"
C="--shape 2566x2600x5704 --shape 1034x6456x1528 --shape 2522x4592x3344 --shape 6021x1824x7328 --shape 3838x3064x3320 --shape 3160x2248x5576"
W="--shape 1187x7832x3880 --shape 1582x6248x7272 --shape 2097x3496x3792 --shape 1318x6544x7072 --shape 4198x2352x4376 --shape 5297x1296x2840 --shape 4088x1920x6824 --shape 2390x3872x6144"
lim=200
for i in 1 2; do
  for b in main new; do
    s=$(date +%s); timeout $lim ./bench-$b --dtype bf16 --kernel mma_sync $A $C $W --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
    lim=100
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
