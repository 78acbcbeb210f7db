#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs are written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-* gpu-tests
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
S="--shape 1024 --shape 2048 --shape 4096 --shape 8192 --shape 8192x8192x512 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 6144x6144x1024 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --shape 1536x2560x1792 --shape 5120x1280x4096"
for i in 1 2 3 4; do for n in main packed; do
  timeout 100 ./bench-$n --dtype bf16 --kernel mma_sync $S --out $c/results --name $n$i --no-plot > $c/$n$i.log 2>&1 || echo "$n$i failed"
done; done
timeout 260 ./gpu-tests mma_sync > $c/gpu-tests-packed-mma_sync.log 2>&1; echo "gpu-tests rc=$?" | tee -a $c/gpu-tests-packed-mma_sync.log
for run in packed:128x256:naive:2048 packed:128x256:persistent:2048 main:128x128:naive:1024 main:128x128:persistent:1024 packed:128x128:naive:1024 packed:128x128:persistent:1024; do
  IFS=: read n t g s <<< "$run"
  timeout 90 ncu --clock-control base --section SourceCounters --section SpeedOfLight -k regex:mma_bf16_bf16_${t}_$g -c 1 -o $c/rep-$n-$t-$g ./bench-$n --dtype bf16 --shape $s --kernel mma_sync/$t/$g --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $c/ncu-$n-$t-$g.log 2>&1
  ncu --import $c/rep-$n-$t-$g.ncu-rep --page source --csv --print-source sass 2>/dev/null | gzip > $c/src-$s-$t-$n-$g.csv.gz
  ncu --import $c/rep-$n-$t-$g.ncu-rep --page details --csv 2>/dev/null > $c/details-$s-$t-$n-$g.csv
  rm -f $c/rep-$n-$t-$g.ncu-rep
done
cd $OUT && tar czf c.tgz --remove-files c && ls -la
