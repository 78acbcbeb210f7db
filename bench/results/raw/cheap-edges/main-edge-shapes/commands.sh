#!/usr/bin/env bash
# Main's mma.sync bf16 rows (bundle of 578ea92) on 480-tile shapes with an edge in M, in N
# (leading dimension aligned to 128 bytes or not), in both, and on one-round shapes whose every
# tile is an M edge or an N edge, against the same shapes without; two runs. Then ncu at base
# clocks on the naive 128 x 256 kernel with and without an M edge on every tile.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 3072x5120x2048 --shape 3000x5120x2048 --shape 3072x5000x2048 --shape 3072x5056x2048 --shape 3000x5056x2048 --shape 3072x5112x2048 --shape 3072x5112x2000 --shape 128x30720x2048 --shape 120x30720x2048 --shape 30720x256x2048 --shape 30720x248x2048"
for i in 1 2; do
  s=$(date +%s); timeout 200 ./tessera-bench --dtype bf16 --kernel mma_sync $S --out $c/results --name edge$i --no-plot > $c/edge$i.log 2>&1; echo "edge$i rc=$? seconds=$(( $(date +%s) - s ))"
done
for shape in 128x30720x2048 120x30720x2048; do
  timeout 90 ncu --clock-control base --section SourceCounters --section SpeedOfLight --section WarpStateStats -k regex:mma_bf16_bf16_128x256_naive -c 1 -o $c/rep-$shape ./tessera-bench --dtype bf16 --shape $shape --kernel mma_sync/128x256/naive --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $c/ncu-$shape.log 2>&1
  ncu --import $c/rep-$shape.ncu-rep --page source --csv --print-source sass 2>/dev/null | gzip > $c/src-$shape.csv.gz
  ncu --import $c/rep-$shape.ncu-rep --page details --csv 2>/dev/null > $c/details-$shape.csv
  rm -f $c/rep-$shape.ncu-rep
done
cd $OUT && tar czf c.tgz --remove-files c
