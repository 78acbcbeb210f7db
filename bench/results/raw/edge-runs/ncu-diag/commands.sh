#!/usr/bin/env bash
# ncu of main's mma.sync kernels, naive against persistent, on shapes where the persistent grid
# loses: summary sections and per-instruction source counters. Outputs go to $OUT/c.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 120x30720x2048 --shape 1024 --shape 1536x2560x1792 --shape 1496x3000x2504"
s=$(date +%s); timeout 120 ./tessera-bench --dtype bf16 --kernel mma_sync $S --out $c/results --name diag1 --no-plot > $c/diag1.log 2>&1; echo "diag1 rc=$? seconds=$(( $(date +%s) - s ))"
prof() { # shape tile grid
  local shape=$1 tile=$2 grid=$3 name=$1-$2-$3
  s=$(date +%s)
  timeout 100 ncu --clock-control base --section SpeedOfLight --section WarpStateStats --section SourceCounters --section InstructionStats --section LaunchStats -k regex:mma_bf16_bf16_${tile}_${grid} -c 1 -o $c/rep-$name ./tessera-bench --dtype bf16 --shape $shape --kernel mma_sync/$tile/$grid --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $c/ncu-$name.log 2>&1
  echo "ncu $name rc=$? seconds=$(( $(date +%s) - s ))"
  ncu --import $c/rep-$name.ncu-rep --page source --csv --print-source sass 2>/dev/null | gzip > $c/src-$name.csv.gz
  ncu --import $c/rep-$name.ncu-rep --page details --csv 2>/dev/null > $c/details-$name.csv
  rm -f $c/rep-$name.ncu-rep
}
for g in naive persistent; do
  prof 120x30720x2048 128x256 $g
  prof 1536x2560x1792 128x256 $g
  prof 1024x1024x1024 128x128 $g
  prof 1496x3000x2504 128x128 $g
done
cd $OUT && tar czf c.tgz --remove-files c
