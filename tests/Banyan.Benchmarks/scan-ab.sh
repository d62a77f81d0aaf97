#!/bin/bash
# Compares two builds of the quick read benchmark in one run, alternating them so both see the same
# machine load: scan-ab.sh <base Banyan.Benchmarks.dll> <new Banyan.Benchmarks.dll> [rounds]
# The base build needs ShardScanCommand.cs (it uses only Shard.Open/Write/Flush/Merge/Scan): copy it
# and the "scan" line of Program.cs into the base tree before building it.
set -euo pipefail
base=$1
new=$2
rounds=${3:-3}
for round in $(seq 1 "$rounds"); do
  for build in base new; do
    dll=$base
    [ "$build" = new ] && dll=$new
    echo "== round $round $build $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    dotnet "$dll" scan --repeat 2 | grep -E "^run"
  done
done
