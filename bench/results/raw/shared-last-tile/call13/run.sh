#!/usr/bin/env bash
# The shared-tile build's racecheck exit with team 1 kept alive until team 0 has read its partial sums (v4).
cd "$(dirname "$0")"
gunzip -f gpu-v4.gz; chmod +x gpu-v4
for f in "128x128/persistent bf16->bf16 large k" "128x128/persistent bf16->bf16 property" "mma_sync/128x128/persistent"; do
  TESSERA_CASES=2 timeout 150 compute-sanitizer --tool racecheck --error-exitcode 1 ./gpu-v4 --quick "$f" > "$OUT/v4-${f##* }.log" 2>&1
  echo "v4 [$f] rc=$?; $(grep -E 'gpu:|RACECHECK SUMMARY|terminate|double free|corrupt' "$OUT/v4-${f##* }.log" | tr '\n' ' ')" | tee -a $OUT/summary.txt
done
