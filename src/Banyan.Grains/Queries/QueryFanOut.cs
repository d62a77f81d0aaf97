using System.Collections.Immutable;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Writes;
using Banyan.Storage.Rows;

namespace Banyan.Grains.Queries;

/// <summary>
/// Sends one shard query to every shard of a group that holds data in the query's time range: the group grain's listing
/// (kept for its lease, <see cref="SegmentListings"/>) gives the live segments overlapping the range (expired ones are
/// never included) and the shards that received data in each; every
/// (segment, shard) is asked in parallel, on its owner silo, for the part of the range inside its segment. A shard that
/// cannot be reached fails the query (<see cref="ShardUnavailableException"/>, retryable) rather than answering with
/// part of the data.
/// </summary>
internal sealed class QueryFanOut(IGrainFactory grains, WriteRouting routing, SegmentListings listings)
{
    /// <summary>
    /// The rows every shard of <paramref name="group"/> returned for <paramref name="query"/>, one batch per shard; only
    /// the shards in <paramref name="shards"/> when it is given (<see cref="EntityPatterns.Shards"/>).
    /// </summary>
    public async Task<IReadOnlyList<WriteBatch>> ReadAsync(string group, GroupSettings settings, ShardQuery query, IReadOnlySet<int>? shards = null)
        => [.. (await ReadShardsAsync(group, settings, query, shards)).Select(r => r.Rows)];

    /// <summary>
    /// What every shard of <paramref name="group"/> answered to <paramref name="query"/> (shards without a matching row
    /// left out); only the shards in <paramref name="shards"/> when it is given.
    /// </summary>
    public async Task<IReadOnlyList<ShardRows>> ReadShardsAsync(string group, GroupSettings settings, ShardQuery query, IReadOnlySet<int>? shards = null)
    {
        ImmutableArray<SegmentInfo> segments = await listings.GetSegmentsAsync(group, settings, query.MinTimestamp, query.MaxTimestamp);
        if (segments.All(s => s.Shards.IsDefaultOrEmpty))
        {
            return [];
        }

        ShardOwners owners = await routing.GetOwnersAsync(group, settings);
        List<Task<ShardRows>> calls = [];
        foreach (SegmentInfo segment in segments)
        {
            ShardQuery inSegment = query with
            {
                MinTimestamp = Math.Max(query.MinTimestamp, segment.StartNanos),
                MaxTimestamp = Math.Min(query.MaxTimestamp, segment.EndNanos - 1),
            };
            foreach (int shard in segment.Shards)
            {
                if (shards is not null && !shards.Contains(shard))
                {
                    continue;
                }

                ShardGrainKey key = new(group, segment.Start, shard);
                calls.Add(grains.CallShardAsync(key, owners.OwnerOf(shard), g => g.Query(inSegment)));
            }
        }

        ShardRows[] results = await Task.WhenAll(calls);
        return [.. results.Where(r => r.Rows.Count > 0)];
    }
}
