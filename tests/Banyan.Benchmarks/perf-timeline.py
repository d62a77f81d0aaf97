#!/usr/bin/env python3
"""Places a `load` write phase's perf samples in time: cores used per step by the silo's write path, its background
passes (seal, flush, merge), JIT, GC and the load generator, with the WAL's fsyncs started in each step and their
longest (docs/benchmarks.md, "Where a lone silo's write phase stalls").

    perf record -F 499 -g -e cpu-clock -e syscalls:sys_enter_fsync -e syscalls:sys_exit_fsync \\
        -e syscalls:sys_enter_fdatasync -e syscalls:sys_exit_fdatasync -o FILE -- \\
        env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \\
        dotnet Banyan.Benchmarks.dll load --queries Q1 --query-runs 1 --settle-quiet 1 --settle-max 3
    perf script -i FILE -F comm,pid,tid,time,event,ip,sym,dso > samples.txt
    python3 tests/Banyan.Benchmarks/perf-timeline.py samples.txt [--hz 499] [--step 0.1]

perf follows the silo child of the load command, so one recording holds both processes. The silo is the process whose
stacks reach the measure write planner; the write phase runs from its first such sample to its last. Columns: S the
write path (everything of the silo not below), B background passes, J the tiered-compilation thread, G garbage
collection, L the load generator; then the fsyncs (fsync and fdatasync: the WAL's, the parts' and the folders') the
silo started in the step."""
import argparse
import collections
import re

HEADER = re.compile(r"^(.*?)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):")
BACKGROUND = re.compile(r"PartMerger|FlushPass|PartWriter|MemoryPartBuilder|SealPass|BatchSorter|CoalescingWork")
PLANNER = "MeasureWritePlanner"


def read_samples(path):
    """(comm, pid, tid, time, event, frames) per sample of `perf script`."""
    samples, current = [], None
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if current:
                    samples.append(current)
                current = None
            elif not line[0].isspace():
                m = HEADER.match(line)
                current = (m.group(1).strip(), m.group(2), m.group(3), float(m.group(4)), m.group(5), []) if m else None
            elif current is not None and len(current[5]) < 80:
                current[5].append(line.strip())
    if current:
        samples.append(current)
    return samples


def category(comm, pid, silo, frames):
    if pid != silo:
        return "L"
    if comm.startswith(".NET Tiered"):
        return "J"
    text = " ".join(frames)
    if "GC" in comm or "gc_heap" in text:
        return "G"
    return "B" if BACKGROUND.search(text) else "S"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("samples")
    parser.add_argument("--hz", type=float, default=499, help="the sampling frequency given to perf record -F")
    parser.add_argument("--step", type=float, default=0.1, help="seconds per line")
    args = parser.parse_args()

    samples = read_samples(args.samples)
    planner = [s for s in samples if s[4] == "cpu-clock" and any(PLANNER in f for f in s[5])]
    if not planner:
        raise SystemExit("no sample reaches the measure write planner: was the silo started with its perf map?")
    silo = collections.Counter(s[1] for s in planner).most_common(1)[0][0]
    start, end = min(s[3] for s in planner), max(s[3] for s in planner)

    cores = collections.defaultdict(collections.Counter)
    syncs = collections.defaultdict(list)
    entered = {}
    for comm, pid, tid, time, event, frames in samples:
        if event in ("syscalls:sys_enter_fsync", "syscalls:sys_enter_fdatasync") and pid == silo:
            entered[tid] = time
        elif event in ("syscalls:sys_exit_fsync", "syscalls:sys_exit_fdatasync") and tid in entered:
            began = entered.pop(tid)
            if start <= began <= end:
                syncs[int((began - start) / args.step)].append(time - began)
        elif event == "cpu-clock" and start <= time <= end and comm != "perf":
            cores[int((time - start) / args.step)][category(comm, pid, silo, frames)] += 1

    per_core = args.hz * args.step
    print(f"silo pid {silo}, write phase {end - start:.2f} s; cores per {args.step} s step")
    for step in sorted(cores):
        counts = cores[step]
        parts = " ".join(f"{c}{counts[c] / per_core:.2f}" for c in "SBJGL" if counts[c])
        waits = syncs.get(step, [])
        longest = max(waits, default=0) * 1000
        print(f"{step * args.step:6.1f} {sum(counts.values()) / per_core:5.2f}  {parts:<40} fsyncs {len(waits):3d}, longest {longest:6.1f} ms")
    every = sorted(d for waits in syncs.values() for d in waits)
    if every:
        print(f"fsyncs: {len(every)}, median {every[len(every) // 2] * 1000:.2f} ms, "
              f"p99 {every[int(len(every) * 0.99)] * 1000:.2f} ms, longest {every[-1] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
