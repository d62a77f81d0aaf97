using System.Collections.Immutable;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Writes;

namespace Banyan.Grains.Queries;

/// <summary>
/// Calls every shard of a group that holds data in a time range, all in parallel, each on its owner silo and for the
/// part of the range inside its segment: the segments and their shards from the group's listing
/// (<see cref="SegmentListings"/>, expired segments never), the owners from the write routing. Shared by the row and
/// statistics queries (<see cref="QueryFanOut"/>) and TopN (<c>TopNFanOut</c>). A shard that cannot be reached fails the
/// call (<see cref="ShardUnavailableException"/>, retryable) rather than answering with part of the data.
/// </summary>
/// <remarks>
/// With <c>localShards</c>, a shard open on this silo is read directly (<see cref="Shards.LocalShards"/>) by the
/// caller's <c>local</c> read instead of the grain call; the others, and every shard when the caller has no local read,
/// through their grains.
/// </remarks>
internal sealed class ShardFanOut(IGrainFactory grains, WriteRouting routing, SegmentListings listings, Shards.LocalShards? localShards = null)
{
    /// <summary>
    /// The answers of <paramref name="call"/> (given the shard grain and the range inside its segment, inclusive ns) on
    /// every shard of <paramref name="group"/> with data in [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>],
    /// segment by segment in time order; only the shards in <paramref name="shards"/> when it is given. A shard open on
    /// this silo is answered by <paramref name="local"/> (the shard's reader instead of its grain, the range, and whether
    /// other shards are read locally at the same time) when it is given. With <paramref name="trace"/>, each shard's call
    /// or read is a child span of it (timed here, a grain call included), tagged by <paramref name="traceResult"/> with
    /// what it answered.
    /// </summary>
    public async Task<TResult[]> CallAsync<TResult>(
        string group,
        GroupSettings settings,
        long minTimestamp,
        long maxTimestamp,
        IReadOnlySet<int>? shards,
        Func<IShardGrain, long, long, Task<TResult>> call,
        Func<Shards.ShardReader, long, long, bool, Task<TResult>>? local = null,
        QueryTraceSpan? trace = null,
        Action<QueryTraceSpan, TResult>? traceResult = null)
    {
        ImmutableArray<SegmentInfo> segments = await listings.GetSegmentsAsync(group, settings, minTimestamp, maxTimestamp);
        trace?.Tag("segments", segments.Length);
        if (segments.All(s => s.Shards.IsDefaultOrEmpty))
        {
            trace?.Tag("shards", 0);
            return [];
        }

        ShardOwners owners = await routing.GetOwnersAsync(group, settings);
        List<Task<TResult>> calls = [];
        List<(Shards.LocalShard Shard, ShardGrainKey Key, long Min, long Max)> reads = [];
        foreach (SegmentInfo segment in segments)
        {
            long min = Math.Max(minTimestamp, segment.StartNanos);
            long max = Math.Min(maxTimestamp, segment.EndNanos - 1);
            foreach (int shard in segment.Shards)
            {
                if (shards is null || shards.Contains(shard))
                {
                    ShardGrainKey key = new(group, segment.Start, shard);
                    Shards.LocalShard? open = null;
                    bool read = local is not null && localShards is not null && localShards.TryEnter(key, out open);
                    if (read)
                    {
                        reads.Add((open!, key, min, max));
                    }
                    else
                    {
                        string owner = owners.OwnerOf(shard);
                        QueryTraceSpan? span = trace?.Child($"shard {key}").Tag("node", owner).Tag("read", "grain call");
                        Task<TResult> called = grains.CallShardAsync(key, owner, g => call(g, min, max));
                        calls.Add(span is null ? called : TracedAsync(span, called, traceResult));
                    }

                    Telemetry.GrainMetrics.RecordShardRead(read);
                }
            }
        }

        // The grain calls are on their way; the local reads start on this thread, each told whether others run beside it
        // (then its work over many series goes to the thread pool, so the shards are answered in parallel as their grains
        // would answer them, and small reads make no hop).
        bool concurrent = reads.Count > 1;
        foreach ((Shards.LocalShard open, ShardGrainKey key, long min, long max) in reads)
        {
            QueryTraceSpan? span = trace?.Child($"shard {key}").Tag("read", "local (this silo)");
            Task<TResult> read = open.ReadEnteredAsync(reader => local!(reader, min, max, concurrent));
            calls.Add(span is null ? read : TracedAsync(span, read, traceResult));
        }

        trace?.Tag("shards", calls.Count);
        return await Task.WhenAll(calls);
    }

    private static async Task<TResult> TracedAsync<TResult>(QueryTraceSpan span, Task<TResult> work, Action<QueryTraceSpan, TResult>? traceResult)
    {
        TResult result = await span.TimeAsync(work);
        traceResult?.Invoke(span, result);
        return result;
    }
}
