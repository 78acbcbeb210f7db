#!/bin/bash
# Stream-K after four whole rounds (sk4: STREAM_K_MAX_WHOLE_ROUNDS = 4) against the final build
# (three), on 18 sector-aligned shapes of four whole rounds of 128 x 128 tiles and a last round
# of more tiles than blocks; on 11 of them sk4 splits the last round. bf16, 128 x 128 only,
# processes in the order final sk4 sk4 final.
set -u
cd "$(dirname "$0")"
t0=$(date +%s); left() { echo $(( 265 - ($(date +%s) - t0) )); }
for f in *.gz; do gunzip -kf "$f"; done
chmod +x bench-*
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
export CUDA_CACHE_MAXSIZE=4294967296
c=$OUT/c; mkdir -p $c/results
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
for b in final sk4; do ./bench-$b --dtype bf16 --kernel mma_sync/128x128 --shape 256 --reps 1 --warmup 1 --warmup-ms 0 --out $c/jit --name jit-$b --no-plot > $c/jit-$b.log 2>&1 & done
wait
S="--shape 6644x2832x6008 --shape 3172x6080x7368 --shape 6596x2848x1840 --shape 4336x4608x2688 --shape 3396x5872x1176 --shape 5400x3744x1712 --shape 3316x6208x3520 --shape 7660x2688x4288 --shape 6204x3184x4296 --shape 3928x5248x6256 --shape 7544x2736x2360 --shape 4700x4240x2856 --shape 4872x3904x5288 --shape 6780x2896x2056 --shape 2504x7680x3984 --shape 3536x5504x5760 --shape 7796x2448x7992 --shape 6960x2736x6488"
for b in final sk4 sk4 final; do
  i=1; while [ -e $c/results/$b$i.json ]; do i=$((i+1)); done; n=$b$i
  l=$(left); [ $l -gt 30 ] || { echo "$n skipped, $l s left" >> $c/rc.txt; continue; }
  s=$(date +%s); timeout $l ./bench-$b --dtype bf16 --kernel mma_sync/128x128 $S --out $c/results --name $n --no-plot > $c/$n.log 2>&1
  echo "$n rc=$? seconds=$(( $(date +%s) - s ))" >> $c/rc.txt
done
cd $OUT && tar czf c.tgz c && rm -rf c
