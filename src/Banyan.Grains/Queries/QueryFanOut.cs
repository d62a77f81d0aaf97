using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Writes;
using Banyan.Storage.Rows;

namespace Banyan.Grains.Queries;

/// <summary>
/// Sends one shard query to every shard of a group that holds data in the query's time range (<see cref="ShardFanOut"/>:
/// in parallel, on each shard's owner silo, for the part of the range inside its segment; a shard that cannot be reached
/// fails the query, retryable, rather than answering with part of the data). Shards open on this silo are read without
/// the grain call when <c>localShards</c> is given (<see cref="Shards.LocalShards"/>, <see cref="QueryOptions.LocalShardReads"/>).
/// </summary>
internal sealed class QueryFanOut(IGrainFactory grains, WriteRouting routing, SegmentListings listings, Shards.LocalShards? localShards = null)
{
    private readonly ShardFanOut _shards = new(grains, routing, listings, localShards);

    /// <summary>
    /// The rows every shard of <paramref name="group"/> returned for <paramref name="query"/>, one batch per shard; only
    /// the shards in <paramref name="shards"/> when it is given (<see cref="EntityPatterns.Shards"/>); each shard a child
    /// span of <paramref name="trace"/> when it is given.
    /// </summary>
    public async Task<IReadOnlyList<WriteBatch>> ReadAsync(string group, GroupSettings settings, ShardQuery query, IReadOnlySet<int>? shards = null, QueryTraceSpan? trace = null)
        => [.. (await ReadShardsAsync(group, settings, query, shards, trace)).Select(r => r.Rows)];

    /// <summary>
    /// What every shard of <paramref name="group"/> answered to <paramref name="query"/> (shards without a matching row
    /// left out); only the shards in <paramref name="shards"/> when it is given; each shard a child span of
    /// <paramref name="trace"/> (tagged with its rows) when it is given.
    /// </summary>
    public async Task<IReadOnlyList<ShardRows>> ReadShardsAsync(string group, GroupSettings settings, ShardQuery query, IReadOnlySet<int>? shards = null, QueryTraceSpan? trace = null)
    {
        ShardRows[] results = await _shards.CallAsync(
            group,
            settings,
            query.MinTimestamp,
            query.MaxTimestamp,
            shards,
            (g, min, max) => g.Query(query with { MinTimestamp = min, MaxTimestamp = max }),
            (reader, min, max, concurrent) => reader.QueryAsync(query with { MinTimestamp = min, MaxTimestamp = max }, concurrent),
            trace,
            static (span, answer) => span.Tag("rows", answer.Rows.Count).Tag("grouped", answer.Partials.IsDefault ? "no" : "yes"));
        return [.. results.Where(r => r.Rows.Count > 0)];
    }
}
