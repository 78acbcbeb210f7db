#!/usr/bin/env bash
cd "$(dirname "$0")"
gunzip -f gpu-tests-shared.gz; chmod +x gpu-tests-shared
i=0
for f in "128x128/persistent bf16->bf16 2x2x2" "128x128/persistent bf16->bf16 large k" "128x128/persistent bf16->bf16 tail" "128x128/persistent bf16->bf16 property" "128x128/persistent bf16->bf16 layouts" "128x128/persistent f16->f32" "mma_sync/128x128/persistent"; do
  i=$((i+1))
  TESSERA_CASES=2 timeout 150 compute-sanitizer --tool racecheck --error-exitcode 1 ./gpu-tests-shared --quick "$f" > $OUT/rc$i.log 2>&1
  rc=$?
  echo "[$f] rc=$rc $(grep -c ' ok' $OUT/rc$i.log) ok; $(grep -E 'gpu:|RACECHECK SUMMARY|terminate|double free|corrupt' $OUT/rc$i.log | tr '\n' ' ')" | tee -a $OUT/summary.txt
done
