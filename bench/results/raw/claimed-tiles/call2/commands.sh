#!/bin/bash
# 1. ncu: per-SM active cycles (min, mean, max) of the naive and persistent mma.sync kernels,
#    bf16, on shapes where the persistent grid loses and where it wins (main's benchmark; the
#    first launch of each kernel, the benchmark's check run).
# 2. main's benchmark (bench-main) and the build with an L2 flush and shuffled turns
#    (bench-new) in turns, twice, bf16, both tiles.
set -u
cd "$(dirname "$0")"
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c/results $c/ncu
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null | head -1)
for s in 5000x5000x5000 7321x7896x3464 7330x5768x4728 2320x7016x7720 8192x8192x8192 4096x4096x4096 4748x7328x5960; do
  t0=$(date +%s)
  timeout 120 $NCU --clock-control none --metrics sm__cycles_active.min,sm__cycles_active.avg,sm__cycles_active.max,gpc__cycles_elapsed.max,sm__inst_executed.min,sm__inst_executed.avg,sm__inst_executed.max -k 'regex:mma_bf16_bf16_128x.*_(naive|persistent)' -c 4 --csv ./bench-main --dtype bf16 --kernel mma_sync --shape $s --reps 1 --warmup 0 --warmup-ms 0 --out $c/ncu --name ncu-$s --no-plot > $c/ncu/$s.csv 2> $c/ncu/$s.err
  echo "ncu $s rc=$? seconds=$(( $(date +%s) - t0 ))" | tee -a $c/rc.txt
done
A="--shape 2509x1640x4280 --shape 6462x560x7632"
M="--shape 7321x7896x3464 --shape 7330x5768x4728 --shape 3838x3064x3320 --shape 2320x7016x7720 --shape 5000x5000x5000 --shape 3848x2760x6040 --shape 5087x2424x952 --shape 2566x2600x5704"
Q="--shape 8192x8192x8192 --shape 4096x4096x4096 --shape 2048x2048x2048"
for i in 1 2; do
  for b in main new; do
    s=$(date +%s); timeout 90 ./bench-$b --dtype bf16 --kernel mma_sync $A $M $Q --out $c/results --name $b$i --no-plot > $c/$b$i.log 2>&1
    echo "$b$i rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/rc.txt
  done
done
cd $OUT && tar czf c.tgz c && rm -rf c
