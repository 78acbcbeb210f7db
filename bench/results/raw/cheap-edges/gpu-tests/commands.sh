#!/usr/bin/env bash
# Every GPU test of the build of 23d70bd.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 570 ./gpu-tests > $c/gpu-tests.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests.log
cd $OUT && tar czf c.tgz --remove-files c
