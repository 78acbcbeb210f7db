#!/usr/bin/env bash
cd "$(dirname "$0")"
nvcc -O2 -arch=sm_90a -o handover2 handover2.cu || exit 1
./handover2; echo "plain rc=$?"
for tool in racecheck synccheck memcheck; do
  compute-sanitizer --tool $tool --error-exitcode 1 ./handover2 64 > $OUT/$tool-handover2.log 2>&1
  echo "$tool rc=$?"; tail -3 $OUT/$tool-handover2.log
done
