#!/usr/bin/env bash
# Run inside the bundle folder; $OUT is the folder the outputs were written to.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x bench-*
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
mkdir -p $OUT/s
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/s/gpu.txt
for i in 1 2; do for n in base s4 s12; do
  ./bench-$n --dtype bf16 --kernel mma_sync/128x128 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 8192x8192x512 --shape 6144x6144x1024 --shape 2304x4608x3072 --shape 4096 --shape 8192 --out $OUT/s/results --name $n$i --no-plot > $OUT/s/$n$i.log 2>&1 || echo "$n$i failed"
done; done
for n in base s12; do
  timeout 150 ncu --clock-control base --section SourceCounters -k regex:mma_bf16_bf16_128x128_persistent -c 1 -o /tmp/src-$n ./bench-$n --dtype bf16 --shape 1280x9216x1024 --kernel mma_sync/128x128/persistent --reps 1 --warmup 0 --warmup-ms 0 --out /tmp/r --no-plot > $OUT/s/src-$n.log 2>&1
  ncu --import /tmp/src-$n.ncu-rep --page source --csv --print-source sass > $OUT/s/src-1280x9216x1024-persistent-$n.csv 2>&1; gzip -f $OUT/s/src-1280x9216x1024-persistent-$n.csv
done
cd $OUT && tar czf s.tgz --remove-files s && ls -la
