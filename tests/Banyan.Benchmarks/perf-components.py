#!/usr/bin/env python3
"""Splits a `load --perf FILE` profile of the silo into components (docs/benchmarks.md, issue 12).

    perf script -i FILE -F comm,ip,sym,dso > stacks.txt
    python3 tests/Banyan.Benchmarks/perf-components.py stacks.txt

Samples of the JIT and GC threads count as such; every other sample goes to the first component, in the
order below (engine first), that has a frame on its stack. Needs the JIT's perf map (the load command
starts the silo with DOTNET_PerfMapEnabled=1 and W^X off when --perf is given)."""
import collections
import re
import sys

COMPONENTS = [
    ("merge (PartMerger)", r"PartMerger|PartMergeIterator"),
    ("seal: memory part build", r"MemoryPartBuilder|SealPass|MemoryPartAssembler|BatchSorter"),
    ("flush: part write", r"FlushPass|PartWriter|WritePart|BlockCompressor|ColumnCodec"),
    ("WAL", r"WriteAheadLog|\bWal[A-Z]|WalRecord|WriteBatchCodec"),
    ("series id + shard routing (per point)", r"SeriesKey|ShardRouting"),
    ("write planner (per point)", r"MeasureWritePlanner|WritePlan|SubjectLayout|SubBatch|WriteTimestamps"),
    # Before the shard write it runs under (ShardGrain.Write feeds it every point of a measure with a TopN aggregation,
    # and flushes its lists on a timer): about 9 % of a silo's samples on the peer load, hidden in "shard write" until
    # 2026-12-07.
    ("TopN pre-aggregation (feeding, flushing lists)", r"Banyan\.Grains\.TopN\."),
    ("shard write (copy, concat, index)", r"Banyan\.Storage|ShardGrain|Shard::"),
    ("protobuf parse/copy/serialize", r"Google\.Protobuf"),
    ("pump (batching, responses)", r"WriteStreamPump|MeasureWritePump|MeasureDataService"),
    ("Orleans runtime", r"Orleans"),
    ("gRPC/Kestrel/HTTP2", r"Grpc|Kestrel|Http2|System\.IO\.Pipelines|System\.Net"),
]


def main(path):
    patterns = [(name, re.compile(p)) for name, p in COMPONENTS]
    counts = collections.Counter()
    total = 0

    def count(comm, frames):
        nonlocal total
        if not comm:
            return
        total += 1
        if comm.startswith(".NET Tiered"):
            counts["JIT (tiered compilation thread)"] += 1
            return
        if "GC" in comm:
            counts["GC threads"] += 1
            return
        for name, pattern in patterns:
            if any(pattern.search(f) for f in frames):
                counts[name] += 1
                return
        leaf = frames[0] if frames else ""
        # The thread's name alone: a plain `perf script` puts the pid, time and event after it on the same line.
        thread = re.sub(r"\s+\d+(/\d+)?\s.*$", "", comm.strip())
        counts["other: kernel, no Banyan/runtime frame" if "kernel" in leaf else "other (" + thread + ")"] += 1

    comm, frames = None, []
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                count(comm, frames)
                comm, frames = None, []
            elif not line[0].isspace():
                comm, frames = line.rstrip(), []
            else:
                frames.append(line.strip())
    count(comm, frames)
    for name, n in counts.most_common():
        print("%5.1f%%  %s" % (100.0 * n / total, name))
    print("%d samples" % total)


if __name__ == "__main__":
    main(sys.argv[1])
