#!/bin/bash
# The final build's binaries (those of raw/h200-claims/final/) on an H200: memcheck, racecheck
# and synccheck over the persistent 128 x 128 kernel's claimed case (a handle with
# TileClaims::On) and its straddled-rows case (the default handle: fixed rounds here); then the
# mma.sync kernels on 40 more random shapes, bf16, one process.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 300 - ($(date +%s) - t0) )); }
gunzip -kf tessera-bench.gz gpu-tests.gz && chmod +x tessera-bench gpu-tests run-bench.sh
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
./run-bench.sh --dtype bf16 --kernel mma_sync --shape 256 --reps 1 --reps-ms 0 --warmup 1 --warmup-ms 0 --out $c/jit --name jit --no-plot > $c/jit.log 2>&1
T1="mma_sync/128x128/persistent bf16->bf16 claimed 5000x5496x500"
T2="mma_sync/128x128/persistent bf16->bf16 straddled rows 5000x5496x500"
for tool in memcheck racecheck synccheck; do
  l=$(left); [ $l -gt 20 ] || { echo "$tool skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); TESSERA_CASES=1 timeout $(( l < 90 ? l : 90 )) compute-sanitizer --tool $tool --error-exitcode 1 ./gpu-tests --quick "$T1" "$T2" > $c/sanitizer-$tool.log 2>&1
  echo "$tool rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
X="--shape 1544x1800x1728 --shape 6544x1104x984 --shape 6808x776x192 --shape 3616x1792x160 --shape 1520x3296x1392 --shape 1296x2608x136 --shape 6152x1640x3016 --shape 696x8192x1640 --shape 1576x4296x744 --shape 5704x4784x944 --shape 3200x1080x520 --shape 536x2112x2296 --shape 1360x6648x528 --shape 688x672x2168 --shape 3120x856x1272 --shape 4296x1784x856 --shape 608x1896x912 --shape 3896x744x1064 --shape 3672x1160x560 --shape 3896x3016x5624 --shape 1176x840x640 --shape 6344x7008x1656 --shape 1976x832x1832 --shape 3048x768x176 --shape 6472x6272x7040 --shape 7960x2152x2952 --shape 4976x6000x1920 --shape 4728x2520x3264 --shape 6760x2944x976 --shape 3560x2056x5728 --shape 7144x3960x2752 --shape 6600x7600x1400 --shape 8008x4064x2536 --shape 6008x6208x1912 --shape 3848x3592x7152 --shape 3616x3504x4688 --shape 5048x5800x5888 --shape 6960x2576x7032 --shape 2480x3400x6792 --shape 7928x8168x7632"
l=$(left)
if [ $l -gt 20 ]; then
  s=$(date +%s); timeout $l ./run-bench.sh --dtype bf16 --kernel mma_sync $X --out $c/results --name extra --no-plot > $c/extra.log 2>&1
  echo "extra rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
else echo "extra skipped, $l s left" >> $c/rc.txt; fi
cd $OUT && tar czf c.tgz c && rm -rf c
