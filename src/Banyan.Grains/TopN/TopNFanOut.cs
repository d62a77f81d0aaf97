using System.Collections.Immutable;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.TopN;

/// <summary>
/// Sends one TopN shard query to every shard of the source measure's group holding data in the query's range (the
/// group grain's listing, kept for its lease, gives the live segments overlapping it, expired ones never), on each shard's owner silo, all in parallel,
/// each for the part of the range inside its segment. A shard that cannot be reached fails the query
/// (<see cref="ShardUnavailableException"/>, retryable).
/// </summary>
internal sealed class TopNFanOut(IGrainFactory grains, WriteRouting routing, Queries.SegmentListings listings)
{
    /// <summary>Every shard's answer to <paramref name="query"/> in <paramref name="group"/>.</summary>
    public async Task<IReadOnlyList<MeasureV1.TopNList>> ReadAsync(string group, GroupSettings settings, TopNShardQuery query)
    {
        ImmutableArray<SegmentInfo> segments = await listings.GetSegmentsAsync(group, settings, query.MinTimestamp, query.MaxTimestamp);
        if (segments.All(s => s.Shards.IsDefaultOrEmpty))
        {
            return [];
        }

        ShardOwners owners = await routing.GetOwnersAsync(group, settings);
        List<Task<MeasureV1.TopNList>> calls = [];
        foreach (SegmentInfo segment in segments)
        {
            TopNShardQuery inSegment = query with
            {
                MinTimestamp = Math.Max(query.MinTimestamp, segment.StartNanos),
                MaxTimestamp = Math.Min(query.MaxTimestamp, segment.EndNanos - 1),
            };
            foreach (int shard in segment.Shards)
            {
                ShardGrainKey key = new(group, segment.Start, shard);
                calls.Add(grains.CallShardAsync(key, owners.OwnerOf(shard), g => g.QueryTopN(inSegment)));
            }
        }

        return await Task.WhenAll(calls);
    }
}
