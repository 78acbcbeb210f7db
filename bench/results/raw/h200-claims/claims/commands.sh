#!/bin/bash
# On an H200, one build (the benchmark with --reps-ms; plans chosen by TESSERA_EXP):
# 1. 128 x 128, bf16: grids whose B rows straddle sectors that claim their tiles (14 random
#    shapes, 6360x4312x4384 and four neighbours), claims (main) against the fixed rounds
#    (noclaim), processes in the order main noclaim noclaim main.
# 2. The 33 shapes of the random set whose naive 128 x 128 call took under 50 us, both tiles,
#    bf16, timed with at least 100 ms of rounds (small1, small2) and with 20 rounds only
#    (--reps-ms 0: small20-1, small20-2).
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 560 - ($(date +%s) - t0) )); }
gunzip -kf tessera-bench.gz && chmod +x tessera-bench run-bench.sh
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
./run-bench.sh --dtype bf16 --kernel mma_sync --shape 256 --reps 1 --reps-ms 0 --warmup 1 --warmup-ms 0 --out $c/jit --name jit --no-plot > $c/jit.log 2>&1
C="--shape 7952x4360x6816 --shape 8192x3576x696 --shape 4240x7096x7040 --shape 7464x6200x7368 --shape 5160x5784x4760 --shape 3728x6184x6616 --shape 5368x4568x7544 --shape 6464x7400x3480 --shape 7280x3496x6576 --shape 5952x2904x4544 --shape 6200x5320x2056 --shape 7688x7912x1040 --shape 6832x5912x4136 --shape 6672x5560x1888 --shape 6360x4312x4384 --shape 6232x4312x4384 --shape 6360x4184x4384 --shape 6360x4440x4384 --shape 6360x4312x4248"
SM="--shape 328x400x208 --shape 1928x384x640 --shape 1936x880x344 --shape 3824x264x512 --shape 3520x256x496 --shape 896x1488x144 --shape 824x272x512 --shape 1296x2432x1408 --shape 520x5840x296 --shape 560x456x256 --shape 304x4848x3424 --shape 1536x1800x424 --shape 1096x2376x960 --shape 1704x944x208 --shape 1888x888x176 --shape 2904x1624x208 --shape 1016x5128x240 --shape 600x3368x320 --shape 288x912x3872 --shape 424x2208x3664 --shape 7640x1512x416 --shape 1352x1688x352 --shape 512x3016x1184 --shape 752x6816x136 --shape 8080x256x1400 --shape 504x1512x320 --shape 256x1064x968 --shape 440x1248x168 --shape 4376x280x488 --shape 376x2952x912 --shape 456x1200x2496 --shape 312x360x1488 --shape 848x3696x200"
run() { n=$1; shift; l=$(left); [ $l -gt 20 ] || { echo "$n skipped, $l s left" >> $c/rc.txt; return; }
  t=$(date +%s); timeout $l ./run-bench.sh --dtype bf16 "$@" --out $c/results --name $n --no-plot > $c/$n.log 2>&1
  echo "$n rc=$? seconds=$(( $(date +%s) - t ))" >> $c/rc.txt; }
run main1 --kernel mma_sync/128x128 $C
TESSERA_EXP=noclaim run noclaim1 --kernel mma_sync/128x128 $C
TESSERA_EXP=noclaim run noclaim2 --kernel mma_sync/128x128 $C
run main2 --kernel mma_sync/128x128 $C
run small1 --kernel mma_sync $SM
run small20-1 --kernel mma_sync --reps-ms 0 $SM
run small2 --kernel mma_sync $SM
run small20-2 --kernel mma_sync --reps-ms 0 $SM
cd $OUT && tar czf c.tgz c && rm -rf c
