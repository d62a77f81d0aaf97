using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Groups;

/// <summary>
/// One segment of a group as the group's registry knows it: the time range it covers and the shards that hold data
/// in it. The query path asks <see cref="IGroupGrain.GetSegments"/> for the segments overlapping a time range and
/// reads the listed shards (<c>ShardGrainKey(group, Start, shard)</c>).
/// </summary>
/// <param name="Start">Start of the segment (inclusive), UTC, on a whole hour.</param>
/// <param name="End">End of the segment (exclusive), UTC.</param>
/// <param name="Shards">Shard numbers that received data in this segment, ascending. Empty for a segment created ahead of its time.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.SegmentInfo")]
public sealed record SegmentInfo(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] DateTimeOffset End,
    [property: Id(2)] ImmutableArray<int> Shards)
{
    /// <summary><see cref="Start"/> in nanoseconds since the Unix epoch (the unit of row timestamps).</summary>
    public long StartNanos => UnixNanos(Start);

    /// <summary><see cref="End"/> in nanoseconds since the Unix epoch (exclusive).</summary>
    public long EndNanos => UnixNanos(End);

    /// <summary>True when the segment holds some instant of [<paramref name="begin"/>, <paramref name="end"/>] (nanoseconds, both inclusive).</summary>
    public bool Overlaps(long begin, long end) => begin < EndNanos && end >= StartNanos;

    /// <summary>Nanoseconds since the Unix epoch of <paramref name="time"/>, saturating at the ends of the 64-bit range.</summary>
    public static long UnixNanos(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks > long.MaxValue / 100 ? long.MaxValue : ticks < long.MinValue / 100 ? long.MinValue : ticks * 100;
    }
}
