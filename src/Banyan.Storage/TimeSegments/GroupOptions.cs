namespace Banyan.Storage.TimeSegments;

/// <summary>Storage settings of one group (BanyanDB's <c>ResourceOpts</c>).</summary>
public sealed class GroupOptions
{
    /// <summary>Number of shards per segment; at least 1.</summary>
    public int ShardNum { get; init; } = 1;

    /// <summary>Time span of one segment. Segments start at multiples of it counted from the Unix epoch, in UTC.</summary>
    public IntervalRule SegmentInterval { get; init; } = new(IntervalUnit.Day, 1);

    /// <summary>How long data is kept. A segment expires once its end is older than now − TTL.</summary>
    public IntervalRule Ttl { get; init; } = new(IntervalUnit.Day, 7);

    /// <summary>Throws a clear error naming the bad field.</summary>
    public void Validate()
    {
        if (ShardNum < 1)
        {
            throw new ArgumentException($"shard_num must be at least 1, got {ShardNum}", nameof(ShardNum));
        }

        SegmentInterval.Validate("segment_interval");
        Ttl.Validate("ttl");
    }
}
