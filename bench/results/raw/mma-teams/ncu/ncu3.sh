#!/bin/bash
set -uo pipefail
cd "$(dirname "$0")"
R=$OUT/r; mkdir -p $R
for d in /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu \
         $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
for s in 1024x1024x1024 2176x4608x3072; do for b in "base naive" "base persistent" "teams persistent"; do set -- $b
  echo "== $s $1 $2"
  timeout 120 ncu --clock-control none --section WarpStateStats --section SchedulerStats --section LaunchStats --section Occupancy --metrics gpu__time_duration.sum,smsp__inst_executed.sum,sm__cycles_active.avg -k regex:mma_bf16 --launch-skip 5 -c 1 ./bench-$1 --dtype bf16 --shape $s --kernel mma_sync/128x128/$2 --no-plot 2>&1 | sed -n '/==PROF==\|Section\|^ *[a-zA-Z].*  /p' | grep -v "^    ---"
done; done > $R/ncu3.txt 2>&1
tar czf $OUT/results.tgz -C $OUT r
