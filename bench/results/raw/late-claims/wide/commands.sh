#!/bin/bash
# The final build again, on a fresh machine: mma_sync, bf16, on 40 new random shapes, in two
# processes one after the other.
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
S="--shape 1476x5104x3440 --shape 2296x6216x5160 --shape 3588x2568x3032 --shape 1480x520x2168 --shape 7192x7968x4664 --shape 5084x1800x872 --shape 2040x7424x504 --shape 4028x8096x512 --shape 7912x5744x5808 --shape 3124x4296x1384 --shape 1172x1776x4328 --shape 1528x3864x3448 --shape 4280x7728x4968 --shape 7432x6344x2488 --shape 6108x760x3832 --shape 5916x7808x4200 --shape 3984x1672x7048 --shape 3172x6080x7368 --shape 2356x5856x3392 --shape 824x1408x1576 --shape 4060x1240x5536 --shape 1768x5888x480 --shape 6568x5624x1936 --shape 6480x600x6592 --shape 3432x752x5616 --shape 1988x2536x304 --shape 1556x7000x544 --shape 5548x2712x848 --shape 3672x4824x6872 --shape 7732x1712x1240 --shape 672x2480x6048 --shape 1060x6008x5416 --shape 5308x3144x2224 --shape 3024x6968x3344 --shape 8040x2008x1864 --shape 4164x4000x7992 --shape 5940x2064x1104 --shape 912x824x2992 --shape 2808x6768x7448 --shape 6500x5912x4280"
for i in 1 2; do
  l=$(left); [ $l -gt 40 ] || { echo "wide$i skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); timeout $l ./tessera-bench --dtype bf16 --kernel mma_sync $S --out $c/results --name wide$i --no-plot > $c/wide$i.log 2>&1
  echo "wide$i rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
