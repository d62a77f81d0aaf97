namespace Banyan.Client.Writes;

/// <summary>
/// How a bulk writer batches, bounds and retries (configuration section <c>Banyan:Client:Writer</c>; a writer may be
/// given its own). Memory is bounded by <see cref="MaxInFlightBatches"/> × <see cref="BatchSize"/> points: the batch
/// being filled holds a slot too, and <c>WriteAsync</c> waits for a free slot before it takes a point that would start
/// a new batch.
/// </summary>
public sealed class BulkWriterOptions
{
    /// <summary>The most points in one grain call (one batch). Default 1000, as the silo's gRPC write path cuts batches.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// Batches held at once: the one being filled plus those sent and not yet answered (retries included). Default 8.
    /// When all are taken, <c>WriteAsync</c> waits.
    /// </summary>
    public int MaxInFlightBatches { get; set; } = 8;

    /// <summary>
    /// How long a batch that is not full waits for more points after its first one before it is sent (a trickle of points
    /// still goes out promptly). Default 50 ms.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Sends of one point at most, the first included, when a transient failure keeps it from being stored (shard
    /// unavailable, timeout, silo gone). Default 5; 1 disables retries. Refusals of the point itself are never retried.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the first retry; each later retry waits twice as long, up to <see cref="MaxBackoff"/>, with full jitter. Default 100 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts. Default 5 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most failures kept for <see cref="BulkWriteResult{TPoint}.Failures"/> (with their points); later ones are
    /// counted (and passed to <see cref="OnFailure"/>) but not kept, so a run of refusals cannot exhaust memory. Default 10 000.
    /// </summary>
    public int MaxRetainedFailures { get; set; } = 10_000;

    /// <summary>
    /// Called once for every point that was not stored, as soon as that is final (on a thread-pool thread, possibly from
    /// several batches at once). Its argument is a <see cref="WriteFailure{TPoint}"/> of the writer's point type
    /// (<c>DataPointValue</c> or <c>ElementValue</c>). It should be quick and not throw: an exception it throws is kept
    /// and rethrown by <c>CompleteAsync</c> once everything is settled. Not bound from configuration.
    /// </summary>
    public Action<IWriteFailure>? OnFailure { get; set; }

    /// <summary>A copy of these options.</summary>
    public BulkWriterOptions Clone() => (BulkWriterOptions)MemberwiseClone();

    /// <summary>Checks the settings; the exception names the setting under <paramref name="sectionPath"/>.</summary>
    /// <exception cref="BanyanClientSettingException">A setting is out of range.</exception>
    public void Validate(string sectionPath = BanyanClientOptions.SectionName + ":Writer")
    {
        if (BatchSize < 1)
        {
            throw new BanyanClientSettingException(sectionPath + ":BatchSize", $"{BatchSize} must be at least 1");
        }

        if (MaxInFlightBatches < 1)
        {
            throw new BanyanClientSettingException(sectionPath + ":MaxInFlightBatches", $"{MaxInFlightBatches} must be at least 1");
        }

        if (FlushInterval <= TimeSpan.Zero || FlushInterval > TimeSpan.FromHours(1))
        {
            throw new BanyanClientSettingException(sectionPath + ":FlushInterval", $"{FlushInterval} must be more than zero and at most an hour (e.g. 00:00:00.050)");
        }

        if (MaxAttempts < 1)
        {
            throw new BanyanClientSettingException(sectionPath + ":MaxAttempts", $"{MaxAttempts} must be at least 1 (1: no retries)");
        }

        if (InitialBackoff < TimeSpan.Zero)
        {
            throw new BanyanClientSettingException(sectionPath + ":InitialBackoff", $"{InitialBackoff} must not be negative");
        }

        if (MaxBackoff < InitialBackoff)
        {
            throw new BanyanClientSettingException(sectionPath + ":MaxBackoff", $"{MaxBackoff} must not be less than InitialBackoff ({InitialBackoff})");
        }

        if (MaxRetainedFailures < 0)
        {
            throw new BanyanClientSettingException(sectionPath + ":MaxRetainedFailures", $"{MaxRetainedFailures} must not be negative");
        }
    }
}
