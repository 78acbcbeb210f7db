#!/usr/bin/env bash
# Two calls on an H100, from the bundle of 3aa60e8 (`cargo xtask bundle`) in `dist/`, with
# `bench-base`: the benchmark built from 31d9136 (kernels as in 1e0dffd). $OUT is the folder
# the outputs were written to.

# Call 1: call-tests.sh
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-base 2>/dev/null
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 560 ./run-tests.sh > $c/gpu-tests.log 2>&1; echo "gpu-tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests.log
tail -2 $c/gpu-tests.log
cd $OUT && tar czf c.tgz --remove-files c

# Call 2: call-bench.sh (the suite was copied to bench/results/h100-tensor-cores.json)
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-base
for d in /usr/local/cuda/lib64 $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); TESSERA_CASES=2 timeout 200 compute-sanitizer --tool memcheck --error-exitcode 1 ./gpu-tests --quick mma_sync > $c/memcheck-mma_sync.log 2>&1; echo "memcheck rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/memcheck-mma_sync.log
S="--shape 1024 --shape 2048 --shape 4096 --shape 8192 --shape 8192x8192x512 --shape 1280x9216x1024 --shape 3000x5000x2000 --shape 6144x6144x1024 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --shape 1536x2560x1792 --shape 5120x1280x4096"
for i in 1 2 3; do
  s=$(date +%s); timeout 120 ./bench-base --dtype bf16 --kernel mma_sync $S --out $c/results --name base$i --no-plot > $c/base$i.log 2>&1; echo "base$i rc=$? seconds=$(( $(date +%s) - s ))"
  s=$(date +%s); timeout 120 ./run-bench.sh --dtype bf16 --kernel mma_sync $S --out $c/results --name new$i --no-plot > $c/new$i.log 2>&1; echo "new$i rc=$? seconds=$(( $(date +%s) - s ))"
done
s=$(date +%s); timeout 150 ./run-bench.sh --dtype bf16 --dtype f16 --out $c/suite --name tensor-cores --no-plot > $c/tensor-cores.log 2>&1; echo "suite rc=$? seconds=$(( $(date +%s) - s ))"
cd $OUT && tar czf c.tgz --remove-files c

# Call 3: call-sanitizers.sh (outputs in sanitizers/)
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x gpu-tests
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
for tool in racecheck synccheck; do
  s=$(date +%s); TESSERA_CASES=2 timeout 280 compute-sanitizer --tool $tool --error-exitcode 1 ./gpu-tests --quick mma_sync > $c/$tool-mma_sync.log 2>&1; echo "$tool rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/$tool-mma_sync.log
  tail -3 $c/$tool-mma_sync.log
done
cd $OUT && tar czf c.tgz --remove-files c
