#!/bin/bash
# Compares two silo builds' query latency and CPU in one run, on the same parts: each run starts a fresh silo of one
# build on a copy of a kept data folder (`load --queries-on`), warms it, and times the queries; the builds alternate so
# both see the same machine. Prints each round's warm medians and silo CPU per run, and the median ratios B/A
# (docs/benchmarks.md, issue 12):
#   query-ab.sh <A Banyan.Silo.dll> <B Banyan.Silo.dll> <kept folder> [rounds, default 3]
# The kept folder comes from `load --keep --data DIR` (with the --series, --points and --seed the runs use; the defaults
# match). LOAD is the Banyan.Benchmarks.dll that drives both sides (default: the Release build beside this script), so
# the client is the same; QUERY_ARGS replaces the query options (default below); OUT keeps every run's output (default
# a new folder under /tmp). Each run starts once the CPUs were QUIET_IDLE % idle over 2 s (default 90, at most
# QUIET_WAIT s) and holds /work/team/heavy.lock when it exists. A wrong answer fails the run and the script.
set -euo pipefail
a=$1
b=$2
kept=$3
rounds=${4:-3}
here="$(cd "$(dirname "$0")" && pwd)"
LOAD=${LOAD:-$here/bin/Release/net10.0/Banyan.Benchmarks.dll}
QUERY_ARGS=${QUERY_ARGS:-"--queries Q1,Q2,Q3 --query-runs 300 --warmup 100 --warm-seconds 15 --warm 300"}
OUT=${OUT:-$(mktemp -d /tmp/banyan-query-ab.XXXXXX)}
mkdir -p "$OUT"
QUIET_IDLE=${QUIET_IDLE:-90}
QUIET_WAIT=${QUIET_WAIT:-60}
source "$here/quiet-machine.sh"
[ -f "$LOAD" ] || { echo "no $LOAD: build it (dotnet build -c Release tests/Banyan.Benchmarks) or set LOAD" >&2; exit 2; }
[ -d "$kept" ] || { echo "no kept folder $kept: make one with load --keep --data $kept" >&2; exit 2; }

results="$OUT/results.txt"
: > "$results"
for round in $(seq 1 "$rounds"); do
  for side in $(sides_of_round "$round"); do
    if [ "$side" = A ]; then silo=$a; else silo=$b; fi
    log="$OUT/round$round-$side.log"
    echo "round $round $side: $(quiet)" >&2
    # shellcheck disable=SC2086 # the option string is meant to split into arguments
    "${heavy_lock[@]}" dotnet "$LOAD" load --queries-on "$kept" --silo "$silo" $QUERY_ARGS > "$log" 2>&1 || true
    # One line per query: "<round> <side> <query> <warm median ms> <silo CPU ms per run> <ok|FAILED>".
    python3 - "$log" "$round" "$side" <<'PY' | tee -a "$results"
import re, sys
text = open(sys.argv[1]).read()
found = re.findall(r"^(Q\d) warm: median ([\d.]+) ms, p99 [\d.]+ ms over \d+ runs \(CPU per run: silo ([\d.]+) ms.*answer (correct|WRONG)", text, re.M)
if not found:
    print(sys.argv[2], sys.argv[3], "-", "nan", "nan", "FAILED")
for name, median, cpu, answer in found:
    print(sys.argv[2], sys.argv[3], name, median, cpu, "ok" if answer == "correct" else "FAILED")
PY
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = {}
for round_, side, name, median, cpu, ok in rows:
    by.setdefault((name, round_), {})[side] = (float(median), float(cpu))
print("query round  warm median ms A -> B      silo CPU ms per run A -> B")
for name in sorted({n for n, _ in by if n != "-"}):
    lat, cpu = [], []
    for (n, round_), sides in sorted(by.items(), key=lambda kv: (kv[0][0], int(kv[0][1]))):
        if n != name or "A" not in sides or "B" not in sides:
            continue
        (la, ca), (lb, cb) = sides["A"], sides["B"]
        lat.append(lb / la)
        cpu.append(cb / ca if ca else float("nan"))
        print(f"{name:>5} {round_:>5}  {la:>6.2f} -> {lb:<6.2f} ({lb/la:.2f})      {ca:>6.2f} -> {cb:<6.2f} ({cpu[-1]:.2f})")
    if lat:
        print(f"{name:>5} median B/A: latency {statistics.median(lat):.2f}, silo CPU {statistics.median(cpu):.2f}")
failed = [r for r in rows if r[5] != "ok"]
if failed:
    print(f"{len(failed)} query result(s) FAILED; the outputs are in the folder below")
print("outputs: " + sys.argv[1].rsplit("/", 1)[0])
sys.exit(1 if failed else 0)
PY
