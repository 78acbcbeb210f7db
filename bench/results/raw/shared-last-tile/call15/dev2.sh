#!/usr/bin/env bash
cd "$(dirname "$0")"
for f in *.gz; do gunzip -f $f; done; chmod +x bench-new gpu-tests-new; cp bench-new tessera-bench
./gpu-tests-new > $OUT/gpu-tests.log 2>&1; echo "gpu-tests rc=$?" | tee -a $OUT/summary.txt; tail -1 $OUT/gpu-tests.log | tee -a $OUT/summary.txt
./run-bench.sh --dtype bf16 --dtype f16 --out $OUT/results --name tensor-cores --no-plot > $OUT/tensor-cores.log 2>&1; echo "bench rc=$?" | tee -a $OUT/summary.txt
