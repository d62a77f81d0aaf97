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

    /// <summary>Checks that every period is positive.</summary>
    /// <exception cref="ArgumentException">A period is zero or negative.</exception>
    public void Validate()
    {
        Check(StreamFlushPeriod, "Silo:Shard:StreamFlushPeriod");
        Check(MeasureFlushPeriod, "Silo:Shard:MeasureFlushPeriod");
        Check(MergePeriod, "Silo:Shard:MergePeriod");
    }

    private static void Check(TimeSpan period, string key)
    {
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{key} is {period}; it must be positive.");
        }
    }
}
