#!/usr/bin/env bash
cd "$(dirname "$0")"
nvcc -O2 -arch=sm_90a -o handover handover.cu || exit 1
for mode in 0 1 2; do
  ./handover $mode; echo "plain mode $mode rc=$?"
  for tool in racecheck synccheck; do
    compute-sanitizer --tool $tool --error-exitcode 1 ./handover $mode 64 > $OUT/$tool-mode$mode.log 2>&1
    echo "$tool mode $mode rc=$?"; tail -3 $OUT/$tool-mode$mode.log
  done
done
