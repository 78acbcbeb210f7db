#!/usr/bin/env bash
cd "$(dirname "$0")"
for f in *.gz; do gunzip -f $f; done; chmod +x bench-* gpu-tests-new
for tool in racecheck synccheck memcheck; do
  TESSERA_CASES=2 timeout 150 compute-sanitizer --tool $tool --error-exitcode 1 ./gpu-tests-new --quick "mma_sync/128x128/persistent" > $OUT/$tool.log 2>&1
  echo "$tool rc=$? $(grep -E 'gpu:|SUMMARY|terminate|double free' $OUT/$tool.log | tr '\n' ' ')" | tee -a $OUT/summary.txt
done
./ab.sh 1 base new -- --dtype bf16 --kernel mma_sync --shape 8192 --shape 2048 --shape 1024 --shape 640x6784x4096 --shape 512x512x4096 --shape 2304x4608x3072 --shape 6000x6000x6000 --shape 1280x9216x1024 --shape 3000x5000x2000
