namespace Banyan.Grains.Hosting;

/// <summary>
/// Periods of the shard grain's timers (section <c>Silo:Shard</c>). The flush period bounds how long
/// written rows stay in memory parts; the WAL keeps them durable meanwhile. The defaults follow
/// BanyanDB's flush cadence (1 s for streams, 5 s for measures).
/// </summary>
public sealed class ShardGrainOptions
{
    /// <summary>Flush period of stream shards.</summary>
    public TimeSpan StreamFlushPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Flush period of measure shards.</summary>
    public TimeSpan MeasureFlushPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Merge period of every shard (the merge policy decides whether a tick merges anything).</summary>
    public TimeSpan MergePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a shard of a segment that time has moved past must go without writes before its parts are merged into
    /// one (the merge timer checks; see <c>EndedSegmentCompaction</c>). Zero turns this off.
    /// </summary>
    public TimeSpan CompactAfterIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Size of the silo's decoded-block cache, shared by all its shards, in MiB (0: none). An aggregation over a short
    /// range decodes the blocks that straddle the range; a chart's next bucket reads the same blocks from here.
    /// </summary>
    public int BlockCacheMegabytes { get; set; } = 64;

    /// <summary>Checks that every period is positive and the cache size and idle time not negative.</summary>
    /// <exception cref="ArgumentException">A period is zero or negative, or the cache size or idle time negative.</exception>
    public void Validate()
    {
        if (BlockCacheMegabytes < 0)
        {
            throw new ArgumentException($"Silo:Shard:BlockCacheMegabytes is {BlockCacheMegabytes}; it must be 0 (no cache) or more.");
        }

        Check(StreamFlushPeriod, "Silo:Shard:StreamFlushPeriod");
        Check(MeasureFlushPeriod, "Silo:Shard:MeasureFlushPeriod");
        Check(MergePeriod, "Silo:Shard:MergePeriod");
        if (CompactAfterIdle < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Shard:CompactAfterIdle is {CompactAfterIdle}; it must be 0 (off) or more.");
        }
    }

    private static void Check(TimeSpan period, string key)
    {
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{key} is {period}; it must be positive.");
        }
    }
}
