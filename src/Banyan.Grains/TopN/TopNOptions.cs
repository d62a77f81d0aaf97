namespace Banyan.Grains.TopN;

/// <summary>
/// TopN pre-aggregation settings (section <c>Silo:TopN</c>). The flush period bounds how long a window's changed lists
/// stay only in memory: a crash of the silo loses at most the TopN contributions of the points acknowledged within the
/// last period before it (the points themselves are in the WAL and never lost). BanyanDB flushes at 40% of the measure's
/// interval (at most a minute); Banyan flushes every second by default, which costs one small write per changed list.
/// </summary>
public sealed class TopNOptions
{
    /// <summary>How often each shard writes the TopN lists that changed (<c>Silo:TopN:FlushPeriod</c>).</summary>
    public TimeSpan FlushPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Megabytes of stored TopN lists the silo keeps for later queries, all its shards together
    /// (<c>Silo:TopN:ListCacheMegabytes</c>; 0: none), with their items as entity ids (<see cref="TopNInternedList"/>).
    /// An hour of 10 s windows of 1,000-entity lists is about 15 MB per shard.
    /// </summary>
    public int ListCacheMegabytes { get; set; } = 64;

    /// <summary>Checks that the period is positive and the cache size not negative.</summary>
    /// <exception cref="ArgumentException">The period is zero or negative, or the cache size negative.</exception>
    public void Validate()
    {
        if (FlushPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:TopN:FlushPeriod is {FlushPeriod}; it must be positive.");
        }

        if (ListCacheMegabytes < 0)
        {
            throw new ArgumentException($"Silo:TopN:ListCacheMegabytes is {ListCacheMegabytes}; it must be 0 (no cache) or more.");
        }
    }
}
