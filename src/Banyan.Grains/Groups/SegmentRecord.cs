using Banyan.GrainInterfaces.Groups;

namespace Banyan.Grains.Groups;

/// <summary>One entry of a group's persisted segment registry.</summary>
[GenerateSerializer]
[Alias("banyan.SegmentRecord")]
public sealed class SegmentRecord
{
    /// <summary>Start of the segment (inclusive), UTC, on a whole hour.</summary>
    [Id(0)]
    public DateTimeOffset Start { get; set; }

    /// <summary>End of the segment (exclusive), UTC.</summary>
    [Id(1)]
    public DateTimeOffset End { get; set; }

    /// <summary>Shards that received data in the segment (ascending); those to delete when it is dropped.</summary>
    [Id(2)]
    public List<int> Shards { get; set; } = [];

    /// <summary>
    /// True once the segment is being dropped (its group was deleted, or dropping some shard failed): it is invisible to
    /// queries and takes no writes; the lifecycle retries dropping the shards still listed.
    /// </summary>
    [Id(3)]
    public bool PendingDrop { get; set; }

    /// <summary>The entry as the grain interface returns it.</summary>
    public SegmentInfo ToInfo() => new(Start, End, [.. Shards]);
}
