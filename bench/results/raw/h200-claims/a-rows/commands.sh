#!/bin/bash
# Rows of A that straddle sectors (K an odd multiple of 8 elements, bf16) with B's aligned.
# 1. ncu: per-SM active cycles of the 128 x 128 naive and persistent kernels on two such shapes
#    and on their twins with K eight larger (A aligned, the same k-tiles).
# 2. The benchmark, 128 x 128, bf16, on grids of teams with one to four whole rounds and a last
#    round the persistent kernel runs in whole tiles, in three plans of one build (TESSERA_EXP:
#    unset = the current plan; anaive = the naive grid's kernel there; aclaim = claims from three
#    whole rounds on), processes in the order main anaive aclaim aclaim anaive main.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 560 - ($(date +%s) - t0) )); }
gunzip -kf tessera-bench.gz && chmod +x tessera-bench run-bench.sh
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results $c/ncu
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
./run-bench.sh --dtype bf16 --kernel mma_sync/128x128 --shape 256 --reps 1 --warmup 1 --warmup-ms 0 --out $c/jit --name jit --no-plot > $c/jit.log 2>&1
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null | head -1)
for s in 4700x4240x2856 4700x4240x2864 7544x2736x2360 7544x2736x2368; do
  t=$(date +%s)
  timeout 90 $NCU --clock-control none --metrics sm__cycles_active.min,sm__cycles_active.avg,sm__cycles_active.max,gpc__cycles_elapsed.max,sm__inst_executed.min,sm__inst_executed.max,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_requests_srcunit_tex_op_read.sum -k 'regex:mma_bf16_bf16_128x128_(naive|persistent)' -c 2 --csv ./run-bench.sh --dtype bf16 --kernel mma_sync/128x128 --shape $s --reps 1 --warmup 0 --warmup-ms 0 --out $c/ncu --name ncu-$s --no-plot > $c/ncu/$s.csv 2> $c/ncu/$s.err
  echo "ncu $s rc=$? seconds=$(( $(date +%s) - t ))" >> $c/rc.txt
done
S="--shape 4700x4240x2856 --shape 7544x2736x2360 --shape 3704x3136x2504 --shape 3904x3136x6296 --shape 4976x3216x3208 --shape 2512x8048x3336 --shape 5984x2800x3352 --shape 2072x3680x4248 --shape 6904x2288x6120 --shape 5440x2960x3944 --shape 5368x1536x4056 --shape 2144x7424x2232 --shape 4700x4240x2864 --shape 7544x2736x2368"
for p in main anaive aclaim aclaim anaive main; do
  i=1; while [ -e $c/results/$p$i.json ]; do i=$((i+1)); done; n=$p$i
  l=$(left); [ $l -gt 30 ] || { echo "$n skipped, $l s left" >> $c/rc.txt; continue; }
  e=$p; [ $p = main ] && e=
  t=$(date +%s); TESSERA_EXP=$e timeout $l ./run-bench.sh --dtype bf16 --kernel mma_sync/128x128 $S --out $c/results --name $n --no-plot > $c/$n.log 2>&1
  echo "$n rc=$? seconds=$(( $(date +%s) - t ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
