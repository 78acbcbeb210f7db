#!/usr/bin/env bash
# One whole round and a longer partial one of 128x128 tiles with fewer than 40 k-tiles: the
# naive grid's kernel in place of the persistent one (this build) against main (bench-main,
# c83b481). The new sampled GPU test of such a grid for every kernel, the quick persistent
# 128x128 GPU tests, memcheck over the new case; then new and main in turns, twice, bf16
# 128x128, on such shapes seen before (W), unseen random ones (U), and ones of 40 k-tiles or
# more, whose path did not move (C). Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-main
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 150 ./gpu-tests "most of another" "--quick" > $c/gpu-tests-second-round.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-second-round.log
s=$(date +%s); timeout 100 ./gpu-tests --quick mma_sync/128x128/persistent > $c/gpu-tests-persistent.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-persistent.log
s=$(date +%s); TESSERA_CASES=2 timeout 60 compute-sanitizer --tool memcheck --error-exitcode 1 ./gpu-tests "128x128/persistent bf16->bf16 one round and most" > $c/memcheck-second-round.log 2>&1; echo "memcheck rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/memcheck-second-round.log
W="--shape 1440x4768x928 --shape 1576x4056x528 --shape 2384x3288x2192 --shape 30720x248x2048 --shape 908x6720x1520 --shape 988x7264x1328"
U="--shape 4328x1528x1168 --shape 1296x5464x648 --shape 5680x1280x1728 --shape 2448x2464x1424 --shape 6984x1040x1904 --shape 1312x5592x600"
C="--shape 4388x1584x3344 --shape 7824x960x6776 --shape 2473x2912x3832"
for i in 1 2; do
  s=$(date +%s); timeout 80 ./tessera-bench --dtype bf16 --kernel mma_sync/128x128 $W $U $C --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 80 ./bench-main --dtype bf16 --kernel mma_sync/128x128 $W $U $C --out $c/results --name main$i --no-plot > $c/main$i.log 2>&1; echo "main$i rc=$? seconds=$(( $(date +%s) - s ))"
done
cd $OUT && tar czf c.tgz c && rm -rf c
