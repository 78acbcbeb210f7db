#!/bin/bash
# The final build on an H200: every GPU test (six shards side by side); the tensor-core suite
# (bf16, f16, every kernel); the mma.sync kernels on 64 new random shapes (36 log-uniform in
# 256..8192 by 128..8192, four more not multiples of 8, 24 uniform in 2048..8192 by 512..8192),
# bf16, two processes.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 575 - ($(date +%s) - t0) )); }
gunzip -kf tessera-bench.gz gpu-tests.gz && chmod +x tessera-bench gpu-tests run-bench.sh
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version,clocks.max.memory --format=csv > $c/gpu.txt
./run-bench.sh --dtype bf16 --kernel mma_sync --shape 256 --reps 1 --reps-ms 0 --warmup 1 --warmup-ms 0 --out $c/jit --name jit --no-plot > $c/jit.log 2>&1
t=$(date +%s)
for i in 0 1 2 3 4 5; do timeout $(left) ./gpu-tests --shard=$i/6 > $c/gpu-tests-$i.log 2>&1 & done
wait
echo "gpu tests seconds=$(( $(date +%s) - t ))" >> $c/rc.txt
tail -q -n 1 $c/gpu-tests-*.log >> $c/rc.txt
F="--shape 3912x2368x6152 --shape 4032x3592x1272 --shape 7208x4936x328 --shape 5008x1992x1224 --shape 768x320x3024 --shape 1336x3056x160 --shape 872x4616x160 --shape 5728x1880x1328 --shape 1000x3752x168 --shape 408x1808x3840 --shape 1608x3760x616 --shape 592x360x144 --shape 6008x6816x152 --shape 1192x5456x152 --shape 1840x4376x1416 --shape 2352x6552x936 --shape 7760x920x4600 --shape 528x1048x3240 --shape 1040x2976x2248 --shape 336x1128x184 --shape 2936x904x5720 --shape 272x2888x536 --shape 464x3384x4168 --shape 1600x4360x6328 --shape 632x680x4920 --shape 784x1032x136 --shape 2176x3944x1952 --shape 896x328x744 --shape 1880x792x7160 --shape 336x1080x1624 --shape 3336x384x528 --shape 1728x2352x176 --shape 1368x6144x160 --shape 4240x576x952 --shape 4832x2024x1048 --shape 1392x2680x544 --shape 1163x823x4006 --shape 1958x2362x1493 --shape 1711x5110x1730 --shape 661x325x1546 --shape 2952x3136x3456 --shape 6280x7032x1024 --shape 5872x8048x3112 --shape 2736x2240x7680 --shape 3176x3208x6896 --shape 6672x4672x4920 --shape 2648x7696x2672 --shape 4072x4600x1168 --shape 4056x6440x8160 --shape 2160x5632x2664 --shape 3832x7208x1728 --shape 6176x4624x4096 --shape 5696x4080x4720 --shape 5176x4648x904 --shape 3080x5536x4928 --shape 5800x3760x640 --shape 7656x3872x5840 --shape 5200x7632x1016 --shape 3816x6768x5448 --shape 7760x4128x4864 --shape 7872x5800x1712 --shape 2688x3024x2600 --shape 5424x6072x2472 --shape 3040x7192x1248"
run() { n=$1; shift; l=$(left); [ $l -gt 20 ] || { echo "$n skipped, $l s left" >> $c/rc.txt; return; }
  t=$(date +%s); timeout $l ./run-bench.sh "$@" --out $c/results --name $n > $c/$n.log 2>&1
  echo "$n rc=$? seconds=$(( $(date +%s) - t ))" >> $c/rc.txt; }
run tensor-cores --dtype bf16 --dtype f16
run random1 --dtype bf16 --kernel mma_sync $F --no-plot
run random2 --dtype bf16 --kernel mma_sync $F --no-plot
cd $OUT && tar czf c.tgz c && rm -rf c
