#!/usr/bin/env bash
# Every kernel's quick GPU tests on the build with the stream-K round, then the new build
# against main (bench-main) on one-round shapes it had not run (some split, some not) and the
# shapes it split before, in turns new, main, new, main, bf16. Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-main
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
X="--shape 1000x3000x4096 --shape 1024x2304x4096 --shape 640x4480x2048 --shape 896x2560x8192 --shape 1920x1280x3072 --shape 1408x1664x2560 --shape 768x3072x1024 --shape 1152x2176x1536 --shape 4509x456x4096 --shape 1112x2224x3336 --shape 502x5048x2336 --shape 1200x2000x3000 --shape 300x7000x5000"
s=$(date +%s); timeout 280 ./gpu-tests --quick > $c/gpu-tests-quick-all.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-quick-all.log
for i in 1 2; do
  s=$(date +%s); timeout 60 ./tessera-bench --dtype bf16 --kernel mma_sync/128x128 $X --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 90 ./bench-main --dtype bf16 --kernel mma_sync/128x128 $X --out $c/results --name main$i --no-plot > $c/main$i.log 2>&1; echo "main$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
