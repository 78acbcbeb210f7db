#!/bin/bash
# A/B: main's benchmark against the candidate rules, 128x128, in turns.
set -u
cd "$(dirname "$0")"
t0=$(date +%s)
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* 2>/dev/null
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
T="--shape 5000x5000x5000 --shape 4097x5352x5184 --shape 942x4608x6792 --shape 6574x4000x2832 --shape 3946x5560x2432 --shape 2081x4400x2520 --shape 1496x3000x2504"
L="--shape 7670x1464x2448 --shape 6477x1080x3440 --shape 4874x3096x2688 --shape 6079x1816x5904"
N="--shape 4000x3000x776 --shape 6168x1728x584 --shape 2769x5752x848 --shape 4232x4376x1128 --shape 4085x5904x480 --shape 6696x1720x928 --shape 7623x2032x872 --shape 2218x5984x984 --shape 4095x4096x1000"
C="--shape 8192x8192x8192"
lim=240
for i in 1 2; do
  for b in main new; do
    s=$(date +%s); timeout $lim ./bench-$b --dtype bf16 --kernel mma_sync/128x128 $T $L $N $C --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
    lim=150
  done
done
if [ $(( $(date +%s) - t0 )) -lt 480 ]; then
  s=$(date +%s); timeout 80 ./bench-main --dtype bf16 --kernel mma_sync/128x256 --shape 5000x5000x5000 --shape 3848x2760x6040 --shape 763x14424x2000 --out $c/results --name w256 --no-plot > $c/w256.log 2>&1
  echo "w256 rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
fi
cd $OUT && tar czf c.tgz c && rm -rf c
