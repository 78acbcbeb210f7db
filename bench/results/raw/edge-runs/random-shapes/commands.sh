#!/usr/bin/env bash
# main's benchmark (edge tiles stored by runs) on 24 shapes drawn at random (seed 20261127:
# M in 200..8000, N and K multiples of 8 in 200..8000, at most 8e10 multiply-adds), twice,
# bf16 mma.sync. Outputs to $OUT/c.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 502x5048x2336 --shape 7063x1400x1560 --shape 2524x3424x2136 --shape 908x6720x1520 --shape 4005x472x7712 --shape 1541x6304x1864 --shape 534x4984x6272 --shape 5519x4208x1432 --shape 7148x424x640 --shape 4667x6320x2440 --shape 4085x5904x480 --shape 4509x456x4096 --shape 4388x1584x3344 --shape 7670x1464x2448 --shape 1327x3944x5328 --shape 7504x2128x2512 --shape 1075x5664x5960 --shape 988x7264x1328 --shape 2769x5752x848 --shape 4191x1576x4904 --shape 879x776x400 --shape 5112x5936x528 --shape 6936x2624x1992 --shape 2473x2912x3832"
s=$(date +%s); timeout 150 ./tessera-bench --dtype bf16 --kernel mma_sync $S --out $c/results --name random1 --no-plot > $c/random1.log 2>&1; echo "random1 rc=$? seconds=$(( $(date +%s) - s ))"
s=$(date +%s); timeout 60 ./tessera-bench --dtype bf16 --kernel mma_sync $S --out $c/results --name random2 --no-plot > $c/random2.log 2>&1; echo "random2 rc=$? seconds=$(( $(date +%s) - s ))"
cd $OUT && tar czf c.tgz --remove-files c
