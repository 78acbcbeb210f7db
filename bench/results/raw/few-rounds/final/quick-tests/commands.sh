#!/bin/bash
# The final build's GPU tests of every mma.sync kernel, quick run (the device call's command line).
cd dist && gunzip -kf gpu-tests.gz && chmod +x gpu-tests && mkdir -p $OUT/c && nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/c/gpu.txt && (timeout 200 ./gpu-tests --quick mma_sync > $OUT/c/gpu-tests-quick-mma.log 2>&1; echo "rc=$?" >> $OUT/c/gpu-tests-quick-mma.log); tail -3 $OUT/c/gpu-tests-quick-mma.log
