using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Queries;
using Banyan.Grains.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.TopN;

/// <summary>
/// Sends one TopN shard query to every shard of the source measure's group holding data in the query's range
/// (<see cref="Queries.ShardFanOut"/>: in parallel, on each shard's owner silo, for the part of the range inside its
/// segment; a shard that cannot be reached fails the query, retryable).
/// </summary>
internal sealed class TopNFanOut(IGrainFactory grains, WriteRouting routing, Queries.SegmentListings listings)
{
    private readonly Queries.ShardFanOut _shards = new(grains, routing, listings);

    /// <summary>Every shard's answer to <paramref name="query"/> in <paramref name="group"/>; each shard a child span of <paramref name="trace"/> when it is given.</summary>
    public async Task<IReadOnlyList<MeasureV1.TopNList>> ReadAsync(string group, GroupSettings settings, TopNShardQuery query, Queries.QueryTraceSpan? trace = null) =>
        await _shards.CallAsync(
            group,
            settings,
            query.MinTimestamp,
            query.MaxTimestamp,
            null,
            (g, min, max) => g.QueryTopN(query with { MinTimestamp = min, MaxTimestamp = max }),
            trace: trace,
            traceResult: static (span, list) => span.Tag("items", list.Items.Count));
}
