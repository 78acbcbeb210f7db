#!/bin/bash
# The final rules: GPU tests of the cases they move and of the persistent mma.sync kernels
# (quick run), then main's benchmark (bench-main) and this build's (bench-new) in turns, twice,
# bf16, both tiles, on unseen random shapes by class (S1: teams, one whole round and a longer
# partial one of 40 to 63 k-tiles, now the naive kernel; S2: the same from 64 k-tiles,
# unchanged; S3: 128 x 256, one and a half to two rounds below 40 k-tiles, now the naive
# kernel; S4: teams, two to five whole rounds of 20 to 39 k-tiles, unchanged; S5: teams, two to
# five whole rounds below 20 k-tiles, now the naive kernel; S6: anywhere), and on the shapes
# still below 0.98 in earlier calls (L).
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 100 ./gpu-tests "most of another of tiles 5297" "three rounds and most" > $c/gpu-tests-moved.log 2>&1; echo "gpu-tests-moved rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
s=$(date +%s); timeout 150 ./gpu-tests --quick mma_sync/128x128/persistent mma_sync/128x256/persistent > $c/gpu-tests-quick-persistent.log 2>&1; echo "gpu-tests-quick-persistent rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
S1="--shape 1506x5456x3728 --shape 3292x2560x2912 --shape 1015x7184x2752 --shape 2903x2624x3496"
S2="--shape 5294x1448x4800 --shape 1322x5592x5504 --shape 3312x2448x5744"
S3="--shape 3988x1616x168 --shape 2921x2744x1616 --shape 4160x1680x1024"
S4="--shape 3319x4952x2288 --shape 3897x2336x1864 --shape 6011x3792x1312 --shape 7781x3088x1232"
S5="--shape 1289x7848x1008 --shape 5087x2424x952 --shape 5256x4384x504"
S6="--shape 2178x3888x3728 --shape 7110x2992x4480 --shape 6462x560x7632 --shape 3951x7712x5552 --shape 5397x4720x3264 --shape 5227x2600x7256 --shape 5968x872x7352 --shape 3029x1088x7096 --shape 6362x7880x7552 --shape 310x7088x5344 --shape 5025x3008x2432 --shape 5466x5696x7208"
L="--shape 5000x5000x5000 --shape 3838x3064x3320 --shape 3848x2760x6040 --shape 2320x7016x7720 --shape 5297x1296x2840 --shape 2097x3496x3792 --shape 1034x6456x1528"
lim=150
for i in 1 2; do
  for b in main new; do
    s=$(date +%s); timeout $lim ./bench-$b --dtype bf16 --kernel mma_sync $S1 $S2 $S3 $S4 $S5 $S6 $L --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
    lim=75
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
