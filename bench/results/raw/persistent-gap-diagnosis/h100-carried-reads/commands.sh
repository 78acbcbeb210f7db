#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs were written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-* gpu-tests-*
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
mkdir -p $OUT/c
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/c/gpu.txt
./gpu-tests-all mma_sync > $OUT/c/gpu-tests-all-mma_sync.log 2>&1; echo "gpu-tests rc=$?" | tee -a $OUT/c/gpu-tests-all-mma_sync.log
for i in 1 2; do for n in base all; do
  ./bench-$n --dtype bf16 --kernel mma_sync --shape 1024 --shape 2048 --shape 4096 --shape 8192 --shape 8192x8192x512 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --out $OUT/c/results --name $n$i --no-plot > $OUT/c/$n$i.log 2>&1 || echo "$n$i failed"
done; done
M=gpu__time_duration.sum,sm__cycles_active.avg,smsp__inst_executed.sum,smsp__average_warps_issue_stalled_no_instruction_per_issue_active.ratio
for n in base all; do for t in 128x128 128x256; do for g in naive persistent; do
  timeout 60 ncu --clock-control base --metrics $M -k regex:mma_bf16_bf16_${t}_$g -c 1 ./bench-$n --dtype bf16 --shape 2048 --kernel mma_sync/$t/$g --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $OUT/c/ncu-$n-$t-$g.txt 2>&1
done; done; done
cd $OUT && tar czf c.tgz --remove-files c && ls -la
