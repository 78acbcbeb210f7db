#!/bin/bash
# e60ce36 on an H200: the tensor-core suite (bf16, f16, every kernel); the mma.sync kernels on
# 100 random shapes (76 log-uniform in 256..8192 by 128..8192, six of them not multiples of 8;
# 24 uniform in 2048..8192 by 512..8192), bf16, two processes; then the GPU tests, six shards.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 570 - ($(date +%s) - t0) )); }
gunzip -kf tessera-bench.gz gpu-tests.gz && chmod +x tessera-bench gpu-tests run-bench.sh
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
./run-bench.sh --dtype bf16 --kernel mma_sync --shape 256 --reps 1 --warmup 1 --warmup-ms 0 --out $c/jit --name jit --no-plot > $c/jit.log 2>&1
t=$(date +%s); timeout $(left) ./run-bench.sh --dtype bf16 --dtype f16 --out $c/results --name tensor-cores > $c/tensor-cores.log 2>&1
echo "tensor-cores rc=$? seconds=$(( $(date +%s) - t ))" >> $c/rc.txt
W="--shape 328x400x208 --shape 1928x384x640 --shape 1936x880x344 --shape 3824x264x512 --shape 3520x256x496 --shape 896x1488x144 --shape 1928x4288x1080 --shape 824x272x512 --shape 648x5888x5904 --shape 1296x2432x1408 --shape 520x5840x296 --shape 560x456x256 --shape 3288x6152x464 --shape 304x4848x3424 --shape 1536x1800x424 --shape 5944x960x5224 --shape 1096x2376x960 --shape 1704x944x208 --shape 5464x5424x208 --shape 3296x720x2784 --shape 1096x2272x4120 --shape 480x672x4008 --shape 800x5368x2176 --shape 6680x2336x1216 --shape 1888x888x176 --shape 2904x1624x208 --shape 1016x5128x240 --shape 600x3368x320 --shape 528x1096x7368 --shape 1152x2920x5384 --shape 352x6784x4536 --shape 3632x1952x4712 --shape 288x912x3872 --shape 6360x4312x4384 --shape 296x1424x5632 --shape 3592x1992x1176 --shape 1688x952x5360 --shape 3280x504x4856 --shape 1864x6736x2760 --shape 728x6520x6120 --shape 424x2208x3664 --shape 1904x328x6632 --shape 7640x1512x416 --shape 2824x6288x1768 --shape 1352x1688x352 --shape 3976x352x6112 --shape 3192x6968x1032 --shape 6352x3128x352 --shape 512x3016x1184 --shape 752x6816x136 --shape 8080x256x1400 --shape 4824x480x2688 --shape 2496x3968x1496 --shape 5504x440x3816 --shape 504x1512x320 --shape 5320x2752x1496 --shape 4240x2048x3464 --shape 5424x272x8168 --shape 256x1064x968 --shape 440x1248x168 --shape 5632x712x3592 --shape 4376x280x488 --shape 3368x3720x968 --shape 6640x680x1288 --shape 376x2952x912 --shape 456x1200x2496 --shape 312x360x1488 --shape 7208x2608x408 --shape 848x3696x200 --shape 3760x3504x2896 --shape 2666x1843x314 --shape 707x3522x477 --shape 5987x475x318 --shape 2898x6633x3451 --shape 451x4063x4519 --shape 620x953x1149 --shape 2192x5104x2336 --shape 3592x8032x6104 --shape 2368x5344x8168 --shape 6856x5992x8024 --shape 2824x6768x5016 --shape 7216x5432x7296 --shape 3568x5232x7368 --shape 3632x4832x1968 --shape 4440x6152x4952 --shape 3576x7008x688 --shape 3352x2080x1928 --shape 7456x5640x6280 --shape 4784x5744x3328 --shape 7256x4840x1368 --shape 4168x5720x2736 --shape 5952x7496x3392 --shape 4232x7424x4488 --shape 2752x2136x3344 --shape 4456x6264x3848 --shape 4920x6464x3656 --shape 2552x3016x7712 --shape 2464x3264x6896 --shape 4696x2616x1440 --shape 6384x7672x7752 "
for n in wide1 wide2; do
  l=$(left); [ $l -gt 30 ] || { echo "$n skipped, $l s left" >> $c/rc.txt; continue; }
  t=$(date +%s); timeout $l ./run-bench.sh --dtype bf16 --kernel mma_sync $W --out $c/results --name $n --no-plot > $c/$n.log 2>&1
  echo "$n rc=$? seconds=$(( $(date +%s) - t ))" >> $c/rc.txt
done
l=$(left)
if [ $l -gt 60 ]; then
  for i in 0 1 2 3 4 5; do timeout $l ./gpu-tests --shard=$i/6 > $c/gpu-tests-$i.log 2>&1 & done
  wait
  tail -q -n 3 $c/gpu-tests-*.log >> $c/rc.txt
else echo "gpu tests skipped, $l s left" >> $c/rc.txt; fi
cd $OUT && tar czf c.tgz c && rm -rf c
