#!/bin/bash
# Claims made one k-tile before the producer needs them (late) against main's claims (made when
# a tile starts), both with the benchmark that rotates four copies of the operands and averages
# the per-copy medians. bf16, 128 x 128 only, 25 shapes whose persistent call claims its tiles
# (B rows an odd multiple of 16 bytes apart, three or more whole rounds); processes in the
# order late main main late late main.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 585 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-*
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
# JIT both builds' PTX into the cache side by side.
for b in main late; do ./bench-$b --dtype bf16 --kernel mma_sync/128x128 --shape 256 --reps 1 --warmup 1 --warmup-ms 0 --out $c/jit --name jit-$b --no-plot > $c/jit-$b.log 2>&1 & done
wait
K="--shape 6332x6056x7024 --shape 5156x3832x3496 --shape 3172x5944x5736 --shape 2356x6136x5224 --shape 3428x7080x2120 --shape 5284x7176x1856 --shape 6740x4248x3448 --shape 4448x5512x7328 --shape 7596x3960x1040 --shape 6776x5080x1808 --shape 5452x3224x3200 --shape 7372x5944x7088 --shape 3356x6392x3624 --shape 4932x4472x5280 --shape 7144x7448x3776 --shape 4792x5080x5352 --shape 5000x5000x5000"
N="--shape 3376x4680x3904 --shape 4516x5736x2464 --shape 4252x5432x6416 --shape 6972x6120x4736 --shape 4688x5944x2616 --shape 6768x5752x3024 --shape 3852x5816x2440 --shape 2376x6184x5712"
for b in late main main late late main; do
  i=1; while [ -e $c/results/$b$i.json ]; do i=$((i+1)); done; n=$b$i
  l=$(left); [ $l -gt 45 ] || { echo "$n skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); timeout $l ./bench-$b --dtype bf16 --kernel mma_sync/128x128 $K $N --out $c/results --name $n --no-plot > $c/$n.log 2>&1
  echo "$n rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
