#!/usr/bin/env bash
# Stored bytes per sample of Banyan's shard beside VictoriaMetrics', data files only, in one run, on
# gen.py's dataset. VictoriaMetrics: the peer scripts (../shared/bench/peers/bench.py) import the JSON
# lines, force_flush and force_merge; its data files are storage/small + storage/big (the
# vm_data_size_bytes metric; indexdb, its series index, is left out). Banyan: `part-bytes` (the shard
# ingest run with the WAL on, final merge, every sample checked), its live parts' files (WAL,
# snapshots and the series index left out). From the repository root:
#
#   flock /work/team/heavy.lock bash tests/Banyan.Benchmarks/bytes-side-by-side.sh
#
# Environment (all optional): S=10000 N=360 SEED=42, GEN=../shared/bench/peers/gen.py,
# OUT=/tmp/banyan-bytes (results), PEERBENCH_ROOT=/tmp/peerbench (bench.py's data dirs).
# VictoriaMetrics binds 127.0.0.1 and is stopped by the PID bench.py started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
S="${S:-10000}"
N="${N:-360}"
SEED="${SEED:-42}"
GEN="${GEN:-$ROOT/../shared/bench/peers/gen.py}"
[ -f "$GEN" ] || GEN=/work/shared/bench/peers/gen.py   # a worktree under /work/wt
BENCH="$(dirname "$GEN")/bench.py"
OUT="${OUT:-/tmp/banyan-bytes}"
export PEERBENCH_ROOT="${PEERBENCH_ROOT:-/tmp/peerbench}"
DATA="$PEERBENCH_ROOT/data/s${S}_n${N}_seed${SEED}"
mkdir -p "$OUT"

echo "== $(date -u '+%Y-%m-%d %H:%M:%S') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$GEN" --series "$S" --points "$N" --seed "$SEED" --formats vmjson,csv --out "$DATA" >&2

echo "== victoria-metrics: import, force_flush, force_merge"
python3 "$BENCH" --data "$DATA" --peers victoria-metrics --reps 1 --query-runs 1 --warmup 0 --out "$OUT/vm.json" >&2
python3 - "$PEERBENCH_ROOT/victoria-metrics" "$OUT/vm-files.json" <<'EOF'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
files = {}
for kind in ("small", "big"):
    for dp, _, fns in os.walk(os.path.join(root, "data", kind)):
        for fn in fns:
            files[fn] = files.get(fn, 0) + os.path.getsize(os.path.join(dp, fn))
json.dump(files, open(out, "w"))
EOF

echo "== banyan: build (Release) and part-bytes"
dotnet build -c Release "$ROOT/tests/Banyan.Benchmarks/Banyan.Benchmarks.csproj" -v quiet -nologo >&2
BANYAN_BENCH_DATA="$DATA/data.csv" dotnet "$ROOT/tests/Banyan.Benchmarks/bin/Release/net10.0/Banyan.Benchmarks.dll" part-bytes --json "$OUT/banyan.json"
echo "== $(date -u '+%Y-%m-%d %H:%M:%S') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$OUT" <<'EOF' | tee "$OUT/table.md"
import json, sys
out = sys.argv[1]
vm = json.load(open(out + "/vm.json"))["peers"]["victoria-metrics"]["reps"][0]
sizes = vm["vm_data_size_bytes"]
vm_total = sizes["storage/small"] + sizes["storage/big"]
vm_files = json.load(open(out + "/vm-files.json"))
b = json.load(open(out + "/banyan.json"))
n = b["Samples"]
print("| system | file | bytes | bytes/sample |")
print("|---|---|---:|---:|")
for name, size in sorted(vm_files.items()):
    print("| VictoriaMetrics | %s | %s | %.4f |" % (name, "{:,}".format(size), size / n))
print("| VictoriaMetrics | **data files (vm_data_size_bytes storage/small + big)** | %s | **%.4f** |" % ("{:,}".format(int(vm_total)), vm_total / n))
for name, size in b["Files"].items():
    print("| Banyan | %s | %s | %.4f |" % (name, "{:,}".format(size), size / n))
print("| Banyan | **live part files** | %s | **%.4f** |" % ("{:,}".format(b["Total"]), b["Total"] / n))
print()
print("Banyan / VictoriaMetrics bytes per sample: **%.3f** (VictoriaMetrics' indexdb, not counted: %s bytes)" % (b["Total"] / vm_total, "{:,}".format(int(sizes["indexdb"]))))
EOF
