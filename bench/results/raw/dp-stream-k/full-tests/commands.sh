#!/usr/bin/env bash
# Every GPU test of this build (the rule with at most three whole rounds before a stream-K last
# round). Outputs to $OUT/c, tarred.
set -uo pipefail
cd "$(dirname "$0")"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
chmod +x tessera-bench gpu-tests bench-main
c=$OUT/c; mkdir -p $c
nvidia-smi --query-gpu=name,driver_version --format=csv > $c/gpu.txt
s=$(date +%s); timeout 575 ./gpu-tests > $c/gpu-tests.log 2>&1; echo "tests rc=$? seconds=$(( $(date +%s) - s ))" | tee -a $c/gpu-tests.log
cd $OUT && tar czf c.tgz c && rm -rf c
