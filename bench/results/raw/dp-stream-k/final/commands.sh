#!/usr/bin/env bash
# This build (at most three whole rounds before a stream-K last round; the split-round GPU
# tests after whole rounds only for the persistent mma.sync kernels): the GPU tests of the
# smaller-GPU paths (163 and 99 KiB of shared memory per block), which the full run of the
# build before (dpsk5, the same kernels) did not reach in its time limit; then the 87 shapes
# of the earlier suite (S, R, N) and the moved shapes of the A/B calls (H, U), bf16, both
# mma.sync tiles. Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-main
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 260 ./gpu-tests "KiB per block" > $c/gpu-tests-smaller-gpus.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-smaller-gpus.log
S="--shape 1024 --shape 2048 --shape 4096 --shape 8192 --shape 8192x8192x512 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 6144x6144x1024 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --shape 1536x2560x1792 --shape 5120x1280x4096 --shape 2560x2560x2560 --shape 1792x3328x4096 --shape 768x4096x8192 --shape 3000x5056x2048 --shape 3072x5056x2048 --shape 30720x248x2048 --shape 120x30720x2048 --shape 1776x6000x1000 --shape 5000x5000x5000 --shape 1496x3000x2504 --shape 2504x2504x2504 --shape 1000x1000x1000 --shape 4000x3000x776 --shape 1112x2224x3336 --shape 6000x600x3000 --shape 200x8000x4000 --shape 3336x1232x4320 --shape 4095x4096x1000 --shape 777x5000x3000 --shape 6000x4000x1000"
R="--shape 502x5048x2336 --shape 7063x1400x1560 --shape 2524x3424x2136 --shape 908x6720x1520 --shape 4005x472x7712 --shape 1541x6304x1864 --shape 534x4984x6272 --shape 5519x4208x1432 --shape 7148x424x640 --shape 4667x6320x2440 --shape 4085x5904x480 --shape 4509x456x4096 --shape 4388x1584x3344 --shape 7670x1464x2448 --shape 1327x3944x5328 --shape 7504x2128x2512 --shape 1075x5664x5960 --shape 988x7264x1328 --shape 2769x5752x848 --shape 4191x1576x4904 --shape 879x776x400 --shape 5112x5936x528 --shape 6936x2624x1992 --shape 2473x2912x3832"
N="--shape 360x4912x2392 --shape 6920x1264x1616 --shape 2384x3288x2192 --shape 7632x768x6776 --shape 1384x3864x528 --shape 6168x1728x584 --shape 4072x1296x6128 --shape 288x504x3912 --shape 6184x2304x4136 --shape 5768x344x4560 --shape 320x3960x6688 --shape 2032x6496x4440 --shape 1448x3208x7944 --shape 1328x2312x6112 --shape 3408x4248x1376 --shape 1992x2376x6560 --shape 4232x4376x1128 --shape 5568x2240x1040 --shape 7128x1192x2824 --shape 5616x712x4240 --shape 1440x4768x928 --shape 640x264x7336 --shape 5800x392x6992 --shape 2488x1856x2528 --shape 2776x3696x5344 --shape 2136x2064x352 --shape 824x5040x2816 --shape 976x6336x6592 --shape 2488x1472x3744 --shape 2168x880x1064"
H="--shape 1616x3928x3800 --shape 3848x2760x6040 --shape 763x14424x2000 --shape 2784x5488x2888 --shape 6320x2424x4432 --shape 1888x3704x6168 --shape 6600x968x4096 --shape 1656x4136x5856 --shape 3576x1896x7624 --shape 4624x1296x7872 --shape 1848x3360x3008 --shape 2864x3640x2392 --shape 2488x2512x5632"
s=$(date +%s); timeout 260 ./tessera-bench --dtype bf16 --kernel mma_sync $S $R $N $H --out $c/results --name shapes --no-plot > $c/shapes.log 2>&1; echo "shapes rc=$? seconds=$(( $(date +%s) - s ))"
cd $OUT && tar czf c.tgz c && rm -rf c
