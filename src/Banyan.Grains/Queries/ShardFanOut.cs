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
internal sealed class ShardFanOut(IGrainFactory grains, WriteRouting routing, SegmentListings listings)
{
    /// <summary>
    /// The answers of <paramref name="call"/> (given the shard grain and the range inside its segment, inclusive ns) on
    /// every shard of <paramref name="group"/> with data in [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>],
    /// segment by segment in time order; only the shards in <paramref name="shards"/> when it is given.
    /// </summary>
    public async Task<TResult[]> CallAsync<TResult>(
        string group,
        GroupSettings settings,
        long minTimestamp,
        long maxTimestamp,
        IReadOnlySet<int>? shards,
        Func<IShardGrain, long, long, Task<TResult>> call)
    {
        ImmutableArray<SegmentInfo> segments = await listings.GetSegmentsAsync(group, settings, minTimestamp, maxTimestamp);
        if (segments.All(s => s.Shards.IsDefaultOrEmpty))
        {
            return [];
        }

        ShardOwners owners = await routing.GetOwnersAsync(group, settings);
        List<Task<TResult>> calls = [];
        foreach (SegmentInfo segment in segments)
        {
            long min = Math.Max(minTimestamp, segment.StartNanos);
            long max = Math.Min(maxTimestamp, segment.EndNanos - 1);
            foreach (int shard in segment.Shards)
            {
                if (shards is null || shards.Contains(shard))
                {
                    calls.Add(grains.CallShardAsync(new ShardGrainKey(group, segment.Start, shard), owners.OwnerOf(shard), g => call(g, min, max)));
                }
            }
        }

        return await Task.WhenAll(calls);
    }
}
