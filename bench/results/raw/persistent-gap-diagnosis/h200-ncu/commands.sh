#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs were written to.
# ncu comparison of naive and persistent mma.sync kernels
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-base gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/gpu.txt
M=gpu__time_duration.sum,sm__cycles_active.avg,sm__cycles_active.max,sm__cycles_active.min,smsp__inst_executed.sum,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,smsp__cycles_elapsed.avg.per_second,smsp__average_warps_issue_stalled_no_instruction_per_issue_active.ratio,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_not_selected_per_issue_active.ratio,smsp__average_warps_issue_stalled_dispatch_stall_per_issue_active.ratio,smsp__average_warps_issue_stalled_branch_resolving_per_issue_active.ratio,smsp__average_warps_issue_stalled_imc_miss_per_issue_active.ratio,dram__bytes_read.sum,lts__t_sector_hit_rate.pct
for cc in base; do
for s in 2048 3000x5000x2000 8192x8192x512 4096; do
  for t in 128x128 128x256; do
    for g in naive persistent; do
      timeout 120 ncu --clock-control $cc --metrics $M -k regex:mma_bf16_bf16_${t}_$g -c 1 ./bench-base --dtype bf16 --shape $s --kernel mma_sync/$t/$g --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $OUT/ncu-$cc-$s-$t-$g.txt 2>&1 || echo "fail $cc $s $t $g"
    done
  done
done
done
# Source-level sampling for two shapes, 128x128
for s in 2048 1280x9216x1024; do
  for g in naive persistent; do
    timeout 150 ncu --clock-control base --section SourceCounters --section WarpStateStats --section InstructionStats -k regex:mma_bf16_bf16_128x128_$g -c 1 -o $OUT/src-$s-$g ./bench-base --dtype bf16 --shape $s --kernel mma_sync/128x128/$g --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $OUT/src-$s-$g.log 2>&1 || echo "srcfail $s $g"
    ncu --import $OUT/src-$s-$g.ncu-rep --page source --csv --print-source sass > $OUT/src-$s-$g.csv 2>&1 || echo "import fail"
    gzip -f $OUT/src-$s-$g.csv
  done
done
rm -f $OUT/*.ncu-rep; cd $OUT && tar czf diag.tgz --remove-files ncu-* src-* && ls -la
