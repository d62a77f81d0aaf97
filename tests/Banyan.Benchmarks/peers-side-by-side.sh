#!/usr/bin/env bash
# Banyan beside VictoriaMetrics on gen.py's dataset, in one run: the peer scripts
# (../shared/bench/peers/bench.py) ingest, measure and query VictoriaMetrics, and the
# load command (dotnet Banyan.Benchmarks.dll load) does the same for a Banyan silo it
# starts, one fresh-start repetition of each in turn (the order flipping each round, each
# step started on a quiet machine), so both meet the same hour of this shared machine;
# one table compares the medians. From the repository root:
#
#   flock /work/team/heavy.lock bash tests/Banyan.Benchmarks/peers-side-by-side.sh
#
# Environment (all optional):
#   S=10000 N=360 SEED=42   dataset (gen.py)          REPS=3       fresh-start repetitions per system
#   QUERY_RUNS=10           timed runs per query and repetition (after 1 untimed)
#   WARM=300                Banyan: Q1-Q3 again after WARM more untimed runs each (its JIT done), as "Q1 warm"...; 0: not
#   WARM_SECONDS=20         ... and before those, WARM_SECONDS of untimed Q1, Q2, Q3 in turn (the silo's tier-1 JIT runs
#                           for seconds after its first queries, whatever the number of runs)
#   WRITE_WARMUP=0          Banyan: before the timed write phase, WRITE_WARMUP points of each series (another seed)
#                           into a second group, untimed and then deleted (`load --write-warmup`): the timed phase is then
#                           a silo whose JIT has compiled the write path; 0: a silo written to right after its start
#   INGESTED_QUERIES=1      Banyan: Q1-Q3 also on the silo that took the writes, before its stop, as bench.py queries
#                           VictoriaMetrics (`load --queries-before-restart`), in a table of their own; 0: not
#   STREAMS=8 SHARDS=2      Banyan write streams and group shards
#   PEERS=victoria-metrics  peers for bench.py (comma separated; prometheus,influxdb need their packages)
#   GEN=../shared/bench/peers/gen.py                   where the peer scripts are (bench.py beside it)
#   OUT=/tmp/banyan-side-by-side                       results: peers-rep<i>.json, banyan-rep<i>.json, table.md
#   PEERBENCH_ROOT=/tmp/peerbench                      bench.py's data dirs and dataset cache
#   INSTALL=1               apt-get install victoria-metrics when it is missing
#   TABLE_ONLY=1            only print the table from the results already in OUT
#   NO_BUILD=1              use the Release build already there
#   QUIET_IDLE=85 QUIET_WAIT=180   a step starts once the CPUs were QUIET_IDLE % idle over 2 s, or after QUIET_WAIT s
# Servers bind 127.0.0.1 and are stopped by the PID their runner started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
S="${S:-10000}"
N="${N:-360}"
SEED="${SEED:-42}"
REPS="${REPS:-3}"
QUERY_RUNS="${QUERY_RUNS:-10}"
STREAMS="${STREAMS:-8}"
SHARDS="${SHARDS:-2}"
PEERS="${PEERS:-victoria-metrics}"
GEN="${GEN:-$ROOT/../shared/bench/peers/gen.py}"
BENCH="$(dirname "$GEN")/bench.py"
OUT="${OUT:-/tmp/banyan-side-by-side}"
export PEERBENCH_ROOT="${PEERBENCH_ROOT:-/tmp/peerbench}"
DATA="$PEERBENCH_ROOT/data/s${S}_n${N}_seed${SEED}"

if [ "${TABLE_ONLY:-0}" != 1 ]; then
  [ -f "$GEN" ] && [ -f "$BENCH" ] || { echo "peers-side-by-side: gen.py/bench.py not found at $GEN (set GEN)" >&2; exit 1; }
  if ! command -v victoria-metrics >/dev/null; then
    if [ "${INSTALL:-0}" = 1 ]; then
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends victoria-metrics
    else
      echo "peers-side-by-side: victoria-metrics is not installed (apt-get install victoria-metrics, or INSTALL=1)" >&2
      exit 1
    fi
  fi

  mkdir -p "$OUT"
  echo "== $(date -u '+%Y-%m-%d %H:%M:%S') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

  echo "== dataset S=$S N=$N SEED=$SEED -> $DATA" >&2
  python3 "$GEN" --series "$S" --points "$N" --seed "$SEED" --formats vmjson --out "$DATA"

  if [ "${NO_BUILD:-0}" != 1 ]; then
    echo "== banyan: build (Release)" >&2
    dotnet build -c Release "$ROOT/tests/Banyan.Benchmarks/Banyan.Benchmarks.csproj" -v quiet -nologo >&2
  fi
  LOAD="$ROOT/tests/Banyan.Benchmarks/bin/Release/net10.0/Banyan.Benchmarks.dll"

  # quiet(): waits for a quiet machine before each step.
  QUIET_IDLE="${QUIET_IDLE:-85}"
  QUIET_WAIT="${QUIET_WAIT:-180}"
  . "$ROOT/tests/Banyan.Benchmarks/quiet-machine.sh"
  rm -f "$OUT"/peers.json "$OUT"/peers-rep*.json "$OUT"/banyan-rep*.json
  peers_rep() {
    echo "== rep $1/$REPS peers ($PEERS) $(date -u +%H:%M:%S) $(quiet)" >&2
    python3 "$BENCH" --data "$DATA" --peers "$PEERS" --reps 1 --query-runs "$QUERY_RUNS" --warmup 1 \
      --out "$OUT/peers-rep$1.json" >&2
  }
  banyan_rep() {
    echo "== rep $1/$REPS banyan $(date -u +%H:%M:%S) $(quiet)" >&2
    dotnet "$LOAD" load --series "$S" --points "$N" --seed "$SEED" --streams "$STREAMS" --shards "$SHARDS" \
      --query-runs "$QUERY_RUNS" --warmup 1 --warm "${WARM:-300}" --warm-seconds "${WARM_SECONDS:-20}" --write-warmup "${WRITE_WARMUP:-0}" \
      $([ "${INGESTED_QUERIES:-1}" = 1 ] && echo --queries-before-restart) --json "$OUT/banyan-rep$1.json" >&2 \
    || echo "== banyan rep $1: the load command reported a failure (exit $?); the table marks it" >&2
  }

  # One repetition of each in turn, the order flipping each round, so both meet the same hours of the machine.
  for rep in $(seq "$REPS"); do
    if [ $((rep % 2)) = 1 ]; then
      peers_rep "$rep"
      banyan_rep "$rep"
    else
      banyan_rep "$rep"
      peers_rep "$rep"
    fi
  done
  echo "== done $(date -u '+%H:%M:%S') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
fi

python3 - "$OUT" "$REPS" <<'EOF' | tee "$OUT/table.md"
import json, statistics, sys
out, reps = sys.argv[1], int(sys.argv[2])

def p99(xs):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, -(-99 * len(xs) // 100) - 1))]

def lat(ms):
    return "%.1f / %.1f" % (statistics.median(ms), p99(ms))

rows = []
# One bench.py file per repetition (peers-rep<i>.json); a single peers.json from before 2026-12-03 holds them all.
import os
files = [out + "/peers-rep%d.json" % (i + 1) for i in range(reps)]
runs = [json.load(open(f)) for f in files] if all(os.path.exists(f) for f in files) else [json.load(open(out + "/peers.json"))]
peers = runs[0]
samples = peers["meta"]["dataset"]["samples"]
for name in peers["peers"]:
    r = [x for run in runs for x in run["peers"][name]["reps"]]
    ing = [x["ingest_s"] for x in r]
    q = {k: [t for x in r for t in x["queries"][k]["ms"]] for k in ("q1", "q2", "q3")}
    ok = all(run["peers"][name]["summary"]["queries"][k]["ok"] and run["peers"][name]["summary"]["visible_samples_ok"] for run in runs for k in q)
    rows.append((name + " " + peers["meta"]["versions"].get(name, ""), statistics.median(ing), min(ing), max(ing),
                 samples / statistics.median(ing), statistics.median(x["server_cpu_s"] for x in r),
                 statistics.median(x["disk"]["alloc"] for x in r) / samples, "no WAL", statistics.median(x["hwm_final_kb"] for x in r) / 1024,
                 lat(q["q1"]), lat(q["q2"]), lat(q["q3"]), "all correct" if ok else "CHECK"))

b = [json.load(open("%s/banyan-rep%d.json" % (out, i + 1))) for i in range(reps)]
ing = [x["IngestSeconds"] for x in b]
q = {k: [t for x in b for y in x["Queries"] if y["Name"] == k for t in y["Ms"]] for k in ("Q1", "Q2", "Q3")}
answers = all(x["VisiblePoints"] == x["DataPoints"] and all(y["Correct"] for y in x["Queries"]) for x in b)
failed = sum(x["Failed"] for x in b)
ok = ("all correct" if answers else "CHECK") + ("; %s points answered other than STATUS_SUCCEED" % "{:,}".format(failed) if failed else "")
rows.append(("banyan (this build)", statistics.median(ing), min(ing), max(ing), b[0]["DataPoints"] / statistics.median(ing),
             statistics.median(x["ServerCpuSeconds"] for x in b), statistics.median(x["DiskAllocatedStopped"] for x in b) / b[0]["DataPoints"],
             "%.2f" % (statistics.median(x["DiskApparentStopped"] - x["DiskByKindStopped"].get("wal", 0) for x in b) / b[0]["DataPoints"]),
             statistics.median(max(x["PeakRssBytes"], x["QueryPeakRssBytes"]) for x in b) / 1048576,
             lat(q["Q1"]), lat(q["Q2"]), lat(q["Q3"]), ok))

print("| system | ingest s, median (min–max) | points/s | server CPU s during ingest (ns/point) | bytes/point on disk (alloc) | of which not WAL (apparent) | peak RSS MiB | Q1 ms median / p99 | Q2 ms median / p99 | Q3 ms median / p99 | answers |")
print("|---|---|---:|---|---:|---:|---:|---|---|---|---|")
for n, m, lo, hi, rate, cpu, bpp, nowal, rss, q1, q2, q3, ok in rows:
    print("| %s | %.2f (%.2f–%.2f) | %s | %.1f (%.0f) | %.2f | %s | %.0f | %s | %s | %s | %s |" % (
        n, m, lo, hi, "{:,.0f}".format(rate), cpu, cpu * 1e9 / samples, bpp, nowal, rss, q1, q2, q3, ok))
print()
print("Banyan disk after the graceful stop, apparent bytes by kind (rep 1): " +
      ", ".join("%s %s" % (k, "{:,}".format(v)) for k, v in (b[0]["DiskByKindStopped"] or {}).items()))
print("Per rep, ingest s: " + "; ".join("%d: %s %.2f, banyan %.2f" % (i + 1, name, run["peers"][name]["reps"][0]["ingest_s"], x["IngestSeconds"])
      for i, (run, x) in enumerate(zip(runs, b)) for name in run["peers"]) if len(runs) == len(b) else "")
print("Banyan per rep: " + "; ".join("ingest %.1f s, silo CPU %.1f s + load generator %.1f s, silo page faults %s, settle %.0f s, restart %.1f s, RSS write %.0f / query %.0f MiB, %d points answered other than STATUS_SUCCEED, %d visible after restart, %s" % (
    x["IngestSeconds"], x["ServerCpuSeconds"], x["ClientCpuSeconds"],
    "{:,}".format(x["ServerMinorFaults"]) if "ServerMinorFaults" in x else "not counted", x["SettleSeconds"], x["RestartSeconds"],
    x["PeakRssBytes"] / 1048576, x["QueryPeakRssBytes"] / 1048576, x["Failed"], x["VisiblePoints"],
    "silo warnings not recorded" if "SiloWarnings" not in x else "%d silo warnings or errors%s" % (len(x["SiloWarnings"]), " (the last: %s)" % x["SiloWarnings"][-1][:200] if x["SiloWarnings"] else "")) for x in b))
if any(x.get("WarmupPoints", 0) for x in b):
    print("Banyan's untimed warm-up writes before the timed phase (WRITE_WARMUP, another group, deleted before it), per rep: " + "; ".join(
        "%s points at %s points/s, silo %.0f ns/point" % ("{:,}".format(x["WarmupPoints"]), "{:,.0f}".format(x["WarmupPointsPerSecond"]), x["WarmupServerNsPerPoint"]) for x in b))
extra = []
for k in ("Q1 warm", "Q2 warm", "Q3 warm", "Q1 http", "Q2 http", "Q3 http", "TopN", "Floor", "Floor x24"):
    ms = [t for x in b for y in x["Queries"] if y["Name"] == k for t in y["Ms"]]
    detail = next((y["Detail"] for x in b for y in x["Queries"] if y["Name"] == k), "not run")
    extra.append("%s %s ms median / p99 (%s)" % (k, lat(ms), detail) if ms else "%s: %s" % (k, detail))
ingested = {k: [t for x in b for y in x["Queries"] if y["Name"] == k + " ingested" for t in y["Ms"]] for k in ("Q1", "Q2", "Q3")}
if all(ingested.values()):
    vm = [(name, {k: [t for run in runs for x in run["peers"][name]["reps"] for t in x["queries"][k.lower()]["ms"]] for k in ingested}) for name in peers["peers"]]
    print()
    print("Queried as bench.py queries its peers (the process that took the writes, after the settle: the visible count, 1 untimed and QUERY_RUNS timed runs each; Banyan `load --queries-before-restart`), medians over the repetitions' runs / p99:")
    print()
    print("| system | Q1 ms | Q2 ms | Q3 ms | answers |")
    print("|---|---|---|---|---|")
    for name, qs in vm:
        print("| %s | %s | %s | %s | |" % (name, lat(qs["Q1"]), lat(qs["Q2"]), lat(qs["Q3"])))
    right = all(y["Correct"] for x in b for y in x["Queries"] if y["Name"].endswith(" ingested")) and all(x.get("VisiblePointsIngested") == x["DataPoints"] for x in b)
    print("| banyan (this build) | %s | %s | %s | %s |" % (lat(ingested["Q1"]), lat(ingested["Q2"]), lat(ingested["Q3"]), "all correct" if right else "CHECK"))
    for name, qs in vm:
        print("| banyan / %s (medians) | %.2f | %.2f | %.2f | |" % (name, *(statistics.median(ingested[k]) / statistics.median(qs[k]) for k in ("Q1", "Q2", "Q3"))))
    print()
print("Banyan warm (after WARM_SECONDS of untimed queries and WARM more untimed runs of each: the runs of the table are the first after a start, while its JIT still recompiles), through the HTTP gateway, TopN over the hour (gRPC), and the gRPC floor (GetAPIVersion; x24 at once as Q2): " + "; ".join(extra))
EOF
echo "== table in $OUT/table.md" >&2
