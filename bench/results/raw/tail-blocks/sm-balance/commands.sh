#!/usr/bin/env bash
# main's 128x128 mma.sync kernels under ncu at the benchmark's clocks and with warm caches
# (no clock or cache control, the fourth launch of each): kernel time, and the active cycles of
# the least and the most busy SM, on a shape where the grids tie and three where the persistent
# grid loses. Outputs to $OUT/c.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-base
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
M=gpu__time_duration.sum,sm__cycles_elapsed.max,sm__cycles_active.min,sm__cycles_active.avg,sm__cycles_active.max,lts__t_sector_hit_rate.pct,dram__bytes_read.sum,smsp__inst_executed.sum,smsp__warp_issue_stalled_no_instruction_per_warp_active.pct
for shape in 1536x2560x1792 1496x3000x2504 4509x456x4096 777x5000x3000; do
  for g in naive persistent; do
    s=$(date +%s)
    timeout 100 ncu --clock-control none --cache-control none --metrics $M -k regex:mma_bf16_bf16_128x128_$g --launch-skip 3 -c 1 --csv ./bench-base --dtype bf16 --shape $shape --kernel mma_sync/128x128/$g --reps 4 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $c/ncu-$shape-$g.log 2>&1
    echo "ncu $shape $g rc=$? seconds=$(( $(date +%s) - s ))"
  done
done
cd $OUT && tar czf c.tgz --remove-files c
