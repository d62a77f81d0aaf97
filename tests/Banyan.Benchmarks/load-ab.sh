#!/bin/bash
# Compares two silo builds end to end (the `load` command's write phase) in one run, alternating them so both see the
# same machine, and prints each round's figures and the median ratios B/A (docs/benchmarks.md, issue 12):
#   load-ab.sh <A Banyan.Benchmarks.dll> <B Banyan.Benchmarks.dll> [rounds, default 4]
# The same dll on both sides compares settings instead: A_ARGS and B_ARGS add load options to one side, e.g.
#   B_ARGS='--silo-env DOTNET_GCRetainVM=1' load-ab.sh X.dll X.dll
# LOAD_ARGS replaces the load options both sides share (default below); OUT keeps every run's output (default a new
# folder under /tmp). Each run starts once the CPUs were QUIET_IDLE % idle over 2 s (default 90, at most QUIET_WAIT s)
# and holds /work/team/heavy.lock when it exists. The first build runs first in odd rounds, second in even ones.
# Build each side in a worktree first, e.g.
#   git worktree add /tmp/banyan-a <commit> && dotnet build -c Release /tmp/banyan-a/tests/Banyan.Benchmarks
set -euo pipefail
a=$1
b=$2
rounds=${3:-4}
LOAD_ARGS=${LOAD_ARGS:-"--series 10000 --points 360 --streams 8 --queries Q1 --query-runs 1 --warmup 0 --settle-quiet 2 --settle-max 5"}
OUT=${OUT:-$(mktemp -d /tmp/banyan-load-ab.XXXXXX)}
mkdir -p "$OUT"
QUIET_IDLE=${QUIET_IDLE:-90}
QUIET_WAIT=${QUIET_WAIT:-60}
source "$(dirname "$0")/quiet-machine.sh"

# One run: prints "<ns per point> <points per second> <peak RSS MiB> <ok|FAILED>" and keeps its output in $OUT.
run() {
  local side=$1 dll=$2 extra=$3 round=$4 log
  log="$OUT/round$round-$side.log"
  echo "round $round $side: $(quiet)" >&2
  # shellcheck disable=SC2086 # the option strings are meant to split into arguments
  "${heavy_lock[@]}" dotnet "$dll" load $LOAD_ARGS $extra > "$log" 2>&1 || true
  python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
write = re.search(r"= ([\d,]+) data points/s; silo CPU [\d.]+ s = (\d+) ns/point", text)
rss = re.search(r"silo peak RSS \(VmHWM\) (\d+) MiB", text)
ok = "every point acknowledged and visible" in text
print(write.group(2) if write else "nan", write.group(1).replace(",", "") if write else "nan",
      rss.group(1) if rss else "nan", "ok" if ok else "FAILED")
PY
}

results="$OUT/results.txt"
: > "$results"
for round in $(seq 1 "$rounds"); do
  for side in $(sides_of_round "$round"); do
    if [ "$side" = A ]; then dll=$a; extra=${A_ARGS:-}; else dll=$b; extra=${B_ARGS:-}; fi
    line="$(run "$side" "$dll" "$extra" "$round")"
    echo "$round $side $line" | tee -a "$results"
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = {}
for round_, side, ns, pts, rss, ok in rows:
    by.setdefault(round_, {})[side] = (float(ns), float(pts), float(rss), ok)
print("round  ns/point A -> B        points/s A -> B          peak RSS MiB A -> B")
ratios = {"ns": [], "pts": []}
for round_ in sorted(by, key=int):
    a, b = by[round_].get("A"), by[round_].get("B")
    if not a or not b:
        continue
    print(f"{round_:>5}  {a[0]:>7.0f} -> {b[0]:<7.0f} ({b[0]/a[0]:.2f})  {a[1]:>9,.0f} -> {b[1]:<9,.0f} ({b[1]/a[1]:.2f})  {a[2]:>5.0f} -> {b[2]:<5.0f} {a[3]}/{b[3]}")
    ratios["ns"].append(b[0] / a[0])
    ratios["pts"].append(b[1] / a[1])
if ratios["ns"]:
    print(f"median B/A: ns/point {statistics.median(ratios['ns']):.2f}, points/s {statistics.median(ratios['pts']):.2f}")
failed = [r for r in rows if r[5] != "ok"]
if failed:
    print(f"{len(failed)} run(s) FAILED; their output is in the folder below")
print("outputs: " + sys.argv[1].rsplit("/", 1)[0])
sys.exit(1 if failed else 0)
PY
