#!/usr/bin/env bash
# Shard ingest (WAL on) beside VictoriaMetrics in ONE run, alternating them so both see the same
# machine: each round is one VictoriaMetrics ingest (the peer scripts: fresh server, POST
# /api/v1/import of gen.py's dataset over 2 connections, force_flush) and one Banyan run
# (`Banyan.Benchmarks ingest --wal on --repeat 1`: one warm-up run, one timed run, each followed by the
# exact check of every sample), each step started only once the machine is quiet. The warm-up run's
# rate (JIT compiling, as after a silo start) is printed too. Prints every step and a
# table of medians with the Banyan / VictoriaMetrics ratios. From the repository root:
#
#   flock /work/team/heavy.lock bash tests/Banyan.Benchmarks/ingest-vs-vm.sh
#
# Environment (all optional):
#   POINTS=360               points per series of gen.py's dataset (10,000 series): 1800 makes a five times longer ingest,
#                            where a run's start and its tail after the last write weigh less in the cores used
#   ROUNDS=3                 rounds (VictoriaMetrics then Banyan in each; the order flips every round)
#   WRITERS=2                concurrent clients on both sides: Banyan's writer threads (--writers) and
#                            VictoriaMetrics' import connections (bench.py --conc)
#   QUIET_IDLE=85            a step starts when the CPUs were at least this % idle over 2 s ...
#   QUIET_WAIT=180           ... or after this many seconds of waiting (the step then says so)
#   GEN=../shared/bench/peers/gen.py                 peer scripts (bench.py beside it)
#   PEERBENCH_ROOT=/tmp/peerbench                    bench.py's data dirs and dataset cache
#   BANYAN_BENCH_DATA=/tmp/banyan-bench-data/data.csv  the same dataset as CSV for Banyan
#   OUT=/tmp/banyan-ingest-vs-vm                     per-step logs and table.md
#   NO_BUILD=1               use the Release build already there
# Servers bind 127.0.0.1 and are stopped by the PID bench.py started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
WRITERS="${WRITERS:-2}"
QUIET_IDLE="${QUIET_IDLE:-85}"
QUIET_WAIT="${QUIET_WAIT:-180}"
GEN="${GEN:-$ROOT/../shared/bench/peers/gen.py}"
[ -f "$GEN" ] || GEN=/work/shared/bench/peers/gen.py
BENCH="$(dirname "$GEN")/bench.py"
export PEERBENCH_ROOT="${PEERBENCH_ROOT:-/tmp/peerbench}"
POINTS="${POINTS:-360}"
SAMPLES=$((10000 * POINTS))
if [ "$POINTS" = 360 ]; then
  export BANYAN_BENCH_DATA="${BANYAN_BENCH_DATA:-/tmp/banyan-bench-data/data.csv}"
else
  export BANYAN_BENCH_DATA="${BANYAN_BENCH_DATA:-/tmp/banyan-bench-data-n$POINTS/data.csv}"
fi
OUT="${OUT:-/tmp/banyan-ingest-vs-vm}"
DATA="$PEERBENCH_ROOT/data/s10000_n${POINTS}_seed42"
DLL="$ROOT/tests/Banyan.Benchmarks/bin/Release/net10.0/Banyan.Benchmarks.dll"

command -v victoria-metrics >/dev/null || { echo "ingest-vs-vm: victoria-metrics is not installed (apt-get install victoria-metrics)" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/vm-*.json "$OUT"/banyan-*.log
python3 "$GEN" --points "$POINTS" --formats vmjson --out "$DATA" >&2
python3 "$GEN" --points "$POINTS" --formats csv --out "$(dirname "$BANYAN_BENCH_DATA")" >&2
[ "${NO_BUILD:-0}" = 1 ] || dotnet build -c Release "$ROOT/tests/Banyan.Benchmarks/Banyan.Benchmarks.csproj" -v quiet -nologo >&2

# quiet(): waits for a quiet machine before each step.
. "$ROOT/tests/Banyan.Benchmarks/quiet-machine.sh"

vm_step() {
  echo "== round $1 victoria-metrics $(date -u +%H:%M:%S) $(quiet)"
  python3 "$BENCH" --data "$DATA" --peers victoria-metrics --reps 1 --query-runs 1 --warmup 0 --conc "$WRITERS" \
    --out "$OUT/vm-$1.json" 2>&1 | grep -E "rep 1:" || true
}

banyan_step() {
  echo "== round $1 banyan $(date -u +%H:%M:%S) $(quiet)"
  dotnet "$DLL" ingest --wal on --repeat 1 --writers "$WRITERS" | tee "$OUT/banyan-$1.log" | grep -E "^(//|run)"
}

echo "== $(date -u '+%Y-%m-%d %H:%M:%S') UTC, $(nproc) cores, $WRITERS clients each, commit $(git -C "$ROOT" rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then vm_step "$round"; banyan_step "$round"; else banyan_step "$round"; vm_step "$round"; fi
done

python3 - "$OUT" "$ROUNDS" "$SAMPLES" <<'EOF' | tee "$OUT/table.md"
import json, re, statistics, sys
out, rounds, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
vm, by, cold = [], [], []
for r in range(1, rounds + 1):
    rep = json.load(open("%s/vm-%d.json" % (out, r)))["peers"]["victoria-metrics"]["reps"][0]
    vm.append((samples / rep["ingest_s"], rep["server_cpu_s"] * 1e9 / samples, rep["server_cpu_s"] / rep["ingest_s"]))
    first = next(l for l in open("%s/banyan-%d.log" % (out, r)) if l.startswith("warm-up"))
    cold.append(float(re.search(r"([\d,]+) samples/s", first).group(1).replace(",", "")))
    line = next(l for l in open("%s/banyan-%d.log" % (out, r)) if l.startswith("run 1"))
    if "checked {:,} samples exactly".format(samples) not in line:
        sys.exit("banyan round %d: no exact check in %s" % (r, line))
    m = re.search(r"([\d,]+) samples/s .*\((\d+) to disk, ([\d.]+) cores\)", line)
    by.append((float(m.group(1).replace(",", "")), float(m.group(2)), float(m.group(3))))
med = lambda xs, i: statistics.median(x[i] for x in xs)
print("| round | VictoriaMetrics samples/s | Banyan samples/s | Banyan / VM |")
print("|---|---:|---:|---:|")
for r in range(rounds):
    print("| %d | %s | %s | %.2f |" % (r + 1, "{:,.0f}".format(vm[r][0]), "{:,.0f}".format(by[r][0]), by[r][0] / vm[r][0]))
print()
print("| median of %d rounds | VictoriaMetrics | Banyan shard, WAL on | Banyan / VM |" % rounds)
print("|---|---:|---:|---:|")
print("| samples/s | %s | %s | **%.2f** |" % ("{:,.0f}".format(med(vm, 0)), "{:,.0f}".format(med(by, 0)), med(by, 0) / med(vm, 0)))
print("| CPU ns/sample during ingest (VM: server only) | %.0f | %.0f | %.2f |" % (med(vm, 1), med(by, 1), med(by, 1) / med(vm, 1)))
print("| cores used during ingest | %.2f | %.2f | |" % (med(vm, 2), med(by, 2)))
print("| samples/s of Banyan's first run in its process (JIT warming up, untimed above) | | %s | %.2f |" % ("{:,.0f}".format(statistics.median(cold)), statistics.median(cold) / med(vm, 0)))
print()
print("Ratio of the medians; per-round ratios: " + ", ".join("%.2f" % (by[r][0] / vm[r][0]) for r in range(rounds)))
EOF
