#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs are written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-*
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
for run in base:naive base:persistent f32stage:persistent; do
  n=${run%%:*}; g=${run##*:}
  timeout 90 ncu --clock-control base --section SourceCounters --section SpeedOfLight -k regex:mma_bf16_bf16_128x256_$g -c 1 -o $c/rep-$n-$g ./bench-$n --dtype bf16 --shape 2048 --kernel mma_sync/128x256/$g --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $c/ncu-$n-$g.log 2>&1
  ncu --import $c/rep-$n-$g.ncu-rep --page source --csv --print-source sass 2>/dev/null | gzip > $c/src-2048-128x256-$n-$g.csv.gz
  ncu --import $c/rep-$n-$g.ncu-rep --page details --csv 2>/dev/null > $c/details-$n-$g.csv
  rm -f $c/rep-$n-$g.ncu-rep
done
cd $OUT && tar czf c.tgz --remove-files c && ls -la
