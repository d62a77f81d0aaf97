using System.Diagnostics.Metrics;

namespace Banyan.Storage.Telemetry;

/// <summary>
/// The engine's instruments, on the meter <see cref="MeterName"/> (System.Diagnostics.Metrics, part of .NET: the engine
/// takes no telemetry package; the silo exports the meter). Names follow OpenTelemetry's conventions, which the
/// Prometheus exporter turns into <c>banyan_wal_bytes_total</c>, <c>banyan_wal_fsync_duration_seconds</c>, and so on.
/// </summary>
public static class StorageMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Banyan.Storage";

    private static readonly Meter s_meter = new(MeterName);

    /// <summary>WAL record bytes written (headers included).</summary>
    internal static Counter<long> WalBytes { get; } = s_meter.CreateCounter<long>("banyan.wal.bytes", "By", "WAL record bytes written, headers included.");

    /// <summary>Duration of each WAL group-commit fsync.</summary>
    internal static Histogram<double> WalFsyncDuration { get; } = s_meter.CreateHistogram<double>("banyan.wal.fsync.duration", "s", "Duration of each WAL group-commit fsync (one fsync acknowledges every write it covers).");

    /// <summary>Flushes of memory parts to disk, by outcome.</summary>
    internal static Counter<long> Flushes { get; } = s_meter.CreateCounter<long>("banyan.shard.flushes", "{flush}", "Flushes that wrote a disk part.");

    /// <summary>Duration of flushes that wrote a part.</summary>
    internal static Histogram<double> FlushDuration { get; } = s_meter.CreateHistogram<double>("banyan.shard.flush.duration", "s", "Duration of flushes that wrote a disk part.");

    /// <summary>
    /// Time each write that found memory full waited for room (back-pressure: the shard's buffered writes and memory
    /// parts at <c>MaxMemoryBytes</c>, or the memory budget's bound), recorded once per such write, timed-out ones too.
    /// </summary>
    internal static Histogram<double> WriteMemoryWaitDuration { get; } = s_meter.CreateHistogram<double>("banyan.shard.write.memory_wait.duration", "s", "Time a write waited for memory to be freed by flushes (back-pressure), once per write that waited.");

    /// <summary>Merges of disk parts.</summary>
    internal static Counter<long> Merges { get; } = s_meter.CreateCounter<long>("banyan.shard.merges", "{merge}", "Merges that wrote a disk part.");

    /// <summary>Duration of merges that wrote a part.</summary>
    internal static Histogram<double> MergeDuration { get; } = s_meter.CreateHistogram<double>("banyan.shard.merge.duration", "s", "Duration of merges that wrote a disk part.");
}
