#!/usr/bin/env bash
# The three peer queries at the engine level beside VictoriaMetrics in ONE run, alternating them so both see the same
# machine. Each round is one VictoriaMetrics step (the peer scripts' VictoriaMetrics class from bench.py: fresh server
# on 127.0.0.1, POST /api/v1/import of gen.py's dataset, force_flush, force_merge, settle; then Q1-Q3 in PromQL as
# bench.py sends them, WARMUP untimed and RUNS timed each, every answer checked with bench.py's check, the server's CPU
# time over the timed runs, and an empty request (GET /health) timed the same way: the HTTP floor included in every
# VictoriaMetrics figure) and one Banyan step (`Banyan.Benchmarks queries`: the dataset in 2 engine shards, WAL on,
# flushed and merged; then Q1-Q3 in process, every answer checked exactly). Each step starts once the machine is quiet.
# Prints every step and a table of medians with Banyan / VictoriaMetrics ratios. From the repository root:
#
#   flock /work/team/heavy.lock bash tests/Banyan.Benchmarks/queries-vs-vm.sh
#
# Environment (all optional):
#   ROUNDS=3        rounds (VictoriaMetrics then Banyan in odd rounds, the other way round in even ones)
#   RUNS=200        timed runs per query and step;  WARMUP=20  untimed runs before them
#   QUIET_IDLE=85   a step starts when the CPUs were at least this % idle over 2 s ...
#   QUIET_WAIT=180  ... or after this many seconds of waiting (the step then says so)
#   GEN=../shared/bench/peers/gen.py      peer scripts (bench.py beside it)
#   PEERBENCH_ROOT=/tmp/peerbench          bench.py's data dirs and dataset cache
#   OUT=/tmp/banyan-queries-vs-vm          per-step logs and table.md
#   NO_BUILD=1      use the Release build already there
# The server binds 127.0.0.1 and is stopped by the PID bench.py started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
RUNS="${RUNS:-200}"
WARMUP="${WARMUP:-20}"
QUIET_IDLE="${QUIET_IDLE:-85}"
QUIET_WAIT="${QUIET_WAIT:-180}"
GEN="${GEN:-$ROOT/../shared/bench/peers/gen.py}"
[ -f "$GEN" ] || GEN=/work/shared/bench/peers/gen.py
export PEERBENCH_ROOT="${PEERBENCH_ROOT:-/tmp/peerbench}"
OUT="${OUT:-/tmp/banyan-queries-vs-vm}"
DATA="$PEERBENCH_ROOT/data/s10000_n360_seed42"
DLL="$ROOT/tests/Banyan.Benchmarks/bin/Release/net10.0/Banyan.Benchmarks.dll"

command -v victoria-metrics >/dev/null || { echo "queries-vs-vm: victoria-metrics is not installed (apt-get install victoria-metrics)" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/vm-*.json "$OUT"/banyan-*.log
python3 "$GEN" --formats vmjson --out "$DATA" >&2
[ "${NO_BUILD:-0}" = 1 ] || dotnet build -c Release "$ROOT/tests/Banyan.Benchmarks/Banyan.Benchmarks.csproj" -v quiet -nologo >&2

# quiet(): waits for a quiet machine before each step.
. "$ROOT/tests/Banyan.Benchmarks/quiet-machine.sh"

# One VictoriaMetrics step through bench.py's own classes (server start and stop, ingest, settle, PromQL, checks).
vm_step() {
  echo "== round $1 victoria-metrics $(date -u +%H:%M:%S) $(quiet)"
  python3 - "$(dirname "$GEN")" "$DATA" "$RUNS" "$WARMUP" "$OUT/vm-$1.json" <<'EOF'
import argparse, json, os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import bench
data, runs, warmup, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
args = argparse.Namespace(conc=os.cpu_count() or 2, vm_chunk_bytes=4 << 20, query_runs=runs, warmup=warmup)
ds = bench.Dataset(data)
peer = bench.VictoriaMetrics(ds, args)
res = {"loadavg_before": os.getloadavg()}
try:
    peer.run_rep(res)
    res["queries"] = {}
    for q in ("q1", "q2", "q3", "health"):
        fn = (lambda: peer.http.get("/health")[1]) if q == "health" else getattr(peer, q)
        for _ in range(warmup):
            fn()
        times, bad = [], None
        cpu0 = bench.proc_cpu(peer.server.pid)
        for _ in range(runs):
            t = time.perf_counter()
            body = fn()
            times.append((time.perf_counter() - t) * 1000.0)
            if q != "health" and bad is None:
                ok, detail = ds.check(q, getattr(peer, "parse_" + q)(body))
                bad = None if ok else detail
        cpu = bench.proc_cpu(peer.server.pid) - cpu0
        res["queries"][q] = {"ms": times, "server_cpu_ms": cpu * 1000.0 / runs, "ok": bad is None, "detail": bad or "ok"}
        print("%s median %.4f ms, server CPU %.4f ms/query, %s" % (q, statistics.median(times), cpu * 1000.0 / runs,
                                                                   "answers right" if bad is None else "WRONG: " + bad))
finally:
    peer.stop()
    bench.stop_all()
res["loadavg_after"] = os.getloadavg()
json.dump(res, open(out, "w"))
EOF
}

banyan_step() {
  echo "== round $1 banyan $(date -u +%H:%M:%S) $(quiet)"
  dotnet "$DLL" queries --runs "$RUNS" --warmup "$WARMUP" | tee "$OUT/banyan-$1.log"
}

echo "== $(date -u '+%Y-%m-%d %H:%M:%S') UTC, $(nproc) cores, commit $(git -C "$ROOT" rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then vm_step "$round"; banyan_step "$round"; else banyan_step "$round"; vm_step "$round"; fi
done

python3 - "$OUT" "$ROUNDS" <<'EOF' | tee "$OUT/table.md"
import json, math, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def pct(xs, p):  # nearest rank
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, math.ceil(p * len(xs)) - 1))]
vm = {q: {"med": [], "all": [], "cpu": []} for q in ("q1", "q2", "q3", "health")}
# Every result line the queries command prints gets a row, whatever its name (it has added comparison queries over time).
by = {}
for r in range(1, rounds + 1):
    res = json.load(open("%s/vm-%d.json" % (out, r)))
    for q, v in res["queries"].items():
        if not v["ok"]:
            sys.exit("victoria-metrics round %d: %s answered wrong: %s" % (r, q, v["detail"]))
        vm[q]["med"].append(statistics.median(v["ms"])); vm[q]["all"] += v["ms"]; vm[q]["cpu"].append(v["server_cpu_ms"])
    for line in open("%s/banyan-%d.log" % (out, r)):
        m = re.match(r"result (\S+) median_ms=([\d.]+) p99_ms=([\d.]+) runs=\d+ cpu_ms=([\d.]+) (.*)", line)
        if m:
            if not m.group(5).startswith("checked exactly"):
                sys.exit("banyan round %d: %s" % (r, line.strip()))
            by.setdefault(m.group(1), {"med": [], "p99": [], "cpu": []})
            by[m.group(1)]["med"].append(float(m.group(2))); by[m.group(1)]["p99"].append(float(m.group(3))); by[m.group(1)]["cpu"].append(float(m.group(4)))
med = statistics.median
print("| round | " + " | ".join("%s VM / Banyan ms (ratio)" % q for q in ("Q1", "Q2", "Q3")) + " |")
print("|---|---:|---:|---:|")
for r in range(rounds):
    print("| %d | %s |" % (r + 1, " | ".join("%.3f / %.3f (%.3f)" % (vm[q.lower()]["med"][r], by[q]["med"][r], by[q]["med"][r] / vm[q.lower()]["med"][r]) for q in ("Q1", "Q2", "Q3"))))
print()
print("| median of %d rounds | VictoriaMetrics ms (p99) | of which HTTP floor | VM server CPU ms/query | Banyan engine ms (p99) | Banyan CPU ms/query | Banyan / VM time | Banyan / VM CPU |" % rounds)
print("|---|---:|---:|---:|---:|---:|---:|---:|")
floor = med(vm["health"]["med"])
for q in ("Q1", "Q2", "Q3"):
    v, b = vm[q.lower()], by[q]
    print("| %s | %.3f (%.3f) | %.3f | %.3f | %.3f (%.3f) | %.3f | **%.3f** | %.3f |" % (
        q, med(v["med"]), pct(v["all"], 0.99), floor, med(v["cpu"]), med(b["med"]), med(b["p99"]), med(b["cpu"]),
        med(b["med"]) / med(v["med"]), med(b["cpu"]) / med(v["cpu"]) if med(v["cpu"]) > 0 else float("nan")))
for q in [name for name in by if name not in ("Q1", "Q2", "Q3")]:
    b = by[q]
    print("| Banyan %s (for comparison) | | | | %.3f (%.3f) | %.3f | %.3f | |" % (q, med(b["med"]), med(b["p99"]), med(b["cpu"]), med(b["med"]) / med(vm[q[:2].lower()]["med"])))
print()
print("Banyan p99 is the median over rounds of each round's p99; VictoriaMetrics p99 is over all its timed runs pooled.")
EOF
