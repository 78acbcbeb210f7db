#!/usr/bin/env bash
# The shared-tile build's racecheck exit, per variant: v1 without the partial sums' stores and
# loads, v2 also without the hand-over barrier, v3 without any shared tile.
cd "$(dirname "$0")"
for v in 1 2 3; do
  gunzip -f gpu-v$v.gz; chmod +x gpu-v$v
  for f in "128x128/persistent bf16->bf16 large k" "128x128/persistent bf16->bf16 property"; do
    TESSERA_CASES=2 timeout 120 compute-sanitizer --tool racecheck --error-exitcode 1 ./gpu-v$v --quick "$f" > $OUT/v$v-${f##* }.log 2>&1
    rc=$?
    echo "v$v [$f] rc=$rc; $(grep -E 'gpu:|RACECHECK SUMMARY|terminate|double free|corrupt' $OUT/v$v-${f##* }.log | tr '\n' ' ')" | tee -a $OUT/summary.txt
  done
done
