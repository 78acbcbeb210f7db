#!/usr/bin/env bash
# The tensor-core suite of the build of 23d70bd, then memcheck and synccheck over the quick mma.sync
# tests and racecheck over the quick persistent 128 x 256 ones.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 200 ./run-bench.sh --dtype bf16 --dtype f16 --out $c/suite --name tensor-cores --no-plot > $c/tensor-cores.log 2>&1; echo "suite rc=$? seconds=$(( $(date +%s) - s ))"
for tool in memcheck synccheck; do
  s=$(date +%s); TESSERA_CASES=2 timeout 150 compute-sanitizer --tool $tool --error-exitcode 1 ./gpu-tests --quick mma_sync > $c/$tool-mma_sync.log 2>&1; echo "$tool rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/$tool-mma_sync.log
done
s=$(date +%s); TESSERA_CASES=2 timeout 120 compute-sanitizer --tool racecheck --error-exitcode 1 ./gpu-tests --quick mma_sync/128x256/persistent > $c/racecheck-128x256-persistent.log 2>&1; echo "racecheck rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/racecheck-128x256-persistent.log
cd $OUT && tar czf c.tgz --remove-files c
