#!/usr/bin/env bash
cd "$(dirname "$0")"
nvcc -O2 -arch=sm_90a -o handover3 handover3.cu 2>&1 | grep -v Warning; ./handover3; echo "plain rc=$?"
for tool in racecheck synccheck memcheck; do
  timeout 200 compute-sanitizer --tool $tool --error-exitcode 1 ./handover3 48 > $OUT/$tool-handover3.log 2>&1
  echo "$tool rc=$?"; tail -3 $OUT/$tool-handover3.log
done
