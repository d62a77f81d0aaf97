#!/bin/bash
# Compares two builds of the ingest benchmark in one run, alternating them so both see the same
# machine load: ingest-ab.sh <base Banyan.Benchmarks.dll> <new Banyan.Benchmarks.dll> [rounds]
# Build the base in a worktree first, e.g.
#   git worktree add /tmp/banyan-base <commit> && dotnet build -c Release /tmp/banyan-base/tests/Banyan.Benchmarks
set -euo pipefail
base=$1
new=$2
rounds=${3:-3}
for round in $(seq 1 "$rounds"); do
  for build in base new; do
    dll=$base
    [ "$build" = new ] && dll=$new
    echo "== round $round $build $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    dotnet "$dll" ingest --repeat 2 | grep -E "^(run|median)"
  done
done
