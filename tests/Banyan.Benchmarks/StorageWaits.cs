using System.Diagnostics.Metrics;
using Banyan.Storage.Telemetry;

namespace Banyan.Benchmarks;

/// <summary>
/// What the engine's writes waited on during a run, from its own instruments (<see cref="StorageMetrics"/>): writes that
/// found memory full and how long they waited for flushes, and the WAL's group-commit fsyncs and their time. Counts
/// from creation to <see cref="Dispose"/>; every shard of the process is counted.
/// </summary>
public sealed class StorageWaits : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _memoryWaits;
    private double _memoryWaitSeconds;
    private long _fsyncs;
    private double _fsyncSeconds;

    /// <summary>Starts counting.</summary>
    public StorageWaits()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name is "banyan.shard.write.memory_wait.duration" or "banyan.wal.fsync.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Writes that waited for memory, and their seconds of waiting together.</summary>
    public (long Count, double Seconds) MemoryWaits => (Interlocked.Read(ref _memoryWaits), Volatile.Read(ref _memoryWaitSeconds));

    /// <summary>WAL fsyncs, and their seconds together (one fsync at a time per WAL).</summary>
    public (long Count, double Seconds) Fsyncs => (Interlocked.Read(ref _fsyncs), Volatile.Read(ref _fsyncSeconds));

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "banyan.wal.fsync.duration")
        {
            Interlocked.Increment(ref _fsyncs);
            Add(ref _fsyncSeconds, seconds);
        }
        else
        {
            Interlocked.Increment(ref _memoryWaits);
            Add(ref _memoryWaitSeconds, seconds);
        }
    }

    private static void Add(ref double total, double value)
    {
        double seen;
        do
        {
            seen = Volatile.Read(ref total);
        }
        while (Interlocked.CompareExchange(ref total, seen + value, seen) != seen);
    }
}
