#!/usr/bin/env bash
# Every mma.sync GPU test of this build (edge tiles stored by runs): 256 property cases and 64
# layout-and-batch cases per kernel and type, the sampled large shapes. Outputs to $OUT/c.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x gpu-tests
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 380 ./gpu-tests mma_sync > $c/gpu-tests-mma-sync.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests-mma-sync.log
cd $OUT && tar czf c.tgz --remove-files c
