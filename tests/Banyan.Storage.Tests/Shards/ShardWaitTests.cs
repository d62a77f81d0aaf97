using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Telemetry;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// The shard's waits are signals with a bound: back-pressure waits for a flush to free memory (and
/// fails clearly, writing nothing, when none does in time); flushes and merges requested while one
/// runs join it; closing waits for running work, bounded too. A flush is held back by holding the
/// part set's install gate, as a slow snapshot write would.
/// </summary>
public sealed class ShardWaitTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options(TimeSpan wait) => new()
    {
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        FlushThresholdBytes = 4096,
        MaxMemoryBytes = 8192,
        WaitTimeout = wait,
    };

    private static WriteBatch Batch(int batch, int rows = 50)
    {
        WriteBatch b = new(DataKind.Measure);
        b.AddColumn(null, "v", ColumnValueType.Float64);
        for (int i = 0; i < rows; i++)
        {
            b.AddRow((ulong)(i % 3) + 1, (batch * 1000L) + i, 1, [ColumnValue.FromFloat64(i)]);
        }

        return b;
    }

    private static int CountRows(Shard shard)
    {
        using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.KeysOnly);
        int rows = 0;
        while (scan.MoveNext())
        {
            rows++;
        }

        return rows;
    }

    // Writes until the next batch no longer fits in memory; returns the rows written.
    private static async Task<int> FillMemoryAsync(Shard shard)
    {
        long batchBytes = BatchConcatenation.EstimateBytes(Batch(0));
        int rows = 0;
        for (int b = 0; shard.MemoryBytes + batchBytes <= 8192; b++)
        {
            WriteBatch batch = Batch(b);
            await shard.WriteAsync(batch);
            rows += batch.Count;
        }

        return rows;
    }

    [Fact]
    public async Task A_read_of_many_buffered_rows_starts_a_background_seal_and_a_read_of_few_does_not()
    {
        using TempDirectory dir = new();
        ShardOptions options = new()
        {
            PartWriter = PartWriterOptions.Default with { Fsync = false },
            WaitTimeout = TimeSpan.FromSeconds(30),
        };
        Shard shard = _leaks.Open(dir.Path, options);
        shard.Write(Batch(0, rows: 100));
        using (ShardReadView few = shard.AcquireView())
        {
            Assert.Equal(1, few.BufferedWrites);
        }

        await shard.WhenIdleAsync();
        using (ShardReadView still = shard.AcquireView())
        {
            Assert.Equal((0, 1), (still.MemoryPartCount, still.BufferedWrites));
        }

        // Past Shard.ReadSealRows (far below the write-side SealRows): the read starts a seal and does not wait for it.
        int batches = (int)(Shard.ReadSealRows / 1000) + 1;
        for (int b = 1; b <= batches; b++)
        {
            shard.Write(Batch(b, rows: 1000));
        }

        int expected = 100 + (batches * 1000);
        using (ShardReadView many = shard.AcquireView())
        {
            Assert.Equal(expected, ReadAll(many));
        }

        await shard.WhenIdleAsync();
        using (ShardReadView after = shard.AcquireView())
        {
            Assert.Equal(0, after.BufferedWrites);
            Assert.True(after.MemoryPartCount >= 1, "the buffered rows are in a memory part now");
            Assert.Equal(expected, ReadAll(after));
        }

        await shard.DisposeAsync();

        static int ReadAll(ShardReadView view)
        {
            int rows = 0;
            foreach (Banyan.Storage.Parts.IPartReader part in view.Parts)
            {
                rows += (int)part.Metadata.RowCount;
            }

            return rows;
        }
    }

    [Fact]
    public async Task Back_pressure_that_no_flush_relieves_in_time_fails_clearly_and_writes_nothing()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(TimeSpan.FromMilliseconds(800)));
        int written;
        TimeoutException timeout;
        Stopwatch waited;
        using (shard.PartSet.HoldInstallsForTest())
        {
            written = await FillMemoryAsync(shard);
            waited = Stopwatch.StartNew();
            timeout = await Assert.ThrowsAsync<TimeoutException>(async () => await shard.WriteAsync(Batch(999)));
            waited.Stop();
        }

        Assert.Contains(dir.Path, timeout.Message, StringComparison.Ordinal);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"the wait is bounded (took {waited.Elapsed})");
        Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(700), $"the write waited for memory before giving up (only {waited.Elapsed})");

        // Nothing of the refused batch is visible, now or after a reopen; everything acknowledged is.
        await shard.FlushAsync();
        Assert.Equal(written, CountRows(shard));
        await shard.DisposeAsync();
        Shard reopened = _leaks.Open(dir.Path, Options(TimeSpan.FromSeconds(30)));
        Assert.Equal(written, CountRows(reopened));
    }

    [Fact]
    public async Task A_write_waiting_for_memory_goes_on_as_soon_as_a_flush_installs()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(TimeSpan.FromSeconds(60)));
        ValueTask waiting;
        int written;
        using (shard.PartSet.HoldInstallsForTest())
        {
            written = await FillMemoryAsync(shard);
            waiting = shard.WriteAsync(Batch(500));
            await Task.Delay(200); // nothing can free memory while installs are held
            Assert.False(waiting.IsCompleted, "the write must wait for memory");
        }

        // Released: the flush installs, memory is freed, the waiting write is signalled (far below its 60 s bound).
        await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(written + 50, CountRows(shard));
        Assert.True(shard.DiskPartIds.Count >= 1);
    }

    [Fact]
    public async Task A_write_that_waits_for_memory_reports_its_wait()
    {
        // banyan_shard_write_memory_wait_duration_seconds: an operator sees writes throttled by flushes. The meter is
        // the process's, so other tests' waits may be seen too; this one's is at least as long as installs are held.
        using MeterListener listener = new();
        ConcurrentBag<double> waits = [];
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name == "banyan.shard.write.memory_wait.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => waits.Add(seconds));
        listener.Start();

        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(TimeSpan.FromSeconds(60)));
        ValueTask waiting;
        using (shard.PartSet.HoldInstallsForTest())
        {
            await FillMemoryAsync(shard);
            waiting = shard.WriteAsync(Batch(500));
            await Task.Delay(400);
        }

        await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(waits, w => w >= 0.3);
    }

    [Fact]
    public async Task A_flush_or_merge_asked_for_while_one_runs_joins_it()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(TimeSpan.FromSeconds(60)));
        await shard.WriteAsync(Batch(1));
        Task<bool> first;
        Task<bool> second;
        using (shard.PartSet.HoldInstallsForTest())
        {
            first = shard.FlushAsync();
            await Task.Delay(100);
            await shard.WriteAsync(Batch(2)); // acknowledged after the first flush took its memory parts
            second = shard.FlushAsync();
            Assert.Same(first, second); // one task, never two flushes at once
            Assert.False(first.IsCompleted);
        }

        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(20)));
        using (ShardReadView view = shard.AcquireView())
        {
            // The joined request got a pass that started after it: the second batch is on disk too.
            Assert.Equal((0, 0), (view.MemoryPartCount, view.BufferedWrites));
        }

        await shard.WriteAsync(Batch(3));
        Assert.True(await shard.FlushAsync());
        Assert.True(shard.DiskPartIds.Count >= 2);
        Task<bool> merge;
        using (shard.PartSet.HoldInstallsForTest())
        {
            merge = shard.MergeAsync(force: true);
            Assert.Same(merge, shard.MergeAsync(force: true));
        }

        Assert.True(await merge.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Single(shard.DiskPartIds);
        Assert.Equal(150, CountRows(shard));
    }

    [Fact]
    public async Task Closing_waits_for_a_running_flush_and_gives_up_clearly_when_it_takes_too_long()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(TimeSpan.FromMilliseconds(600)));
        await shard.WriteAsync(Batch(1));
        IDisposable hold = shard.PartSet.HoldInstallsForTest();
        Task<bool> flush = shard.FlushAsync();
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(async () => await shard.DisposeAsync());
        Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
        hold.Dispose();

        // The shard stayed open: it reads, and closes once the flush is done (or has given up).
        Assert.Equal(50, CountRows(shard));
        try
        {
            await flush;
        }
        catch (TimeoutException)
        {
            // The flush's own bound on the install gate may have expired first: its memory parts are kept.
        }

        await shard.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => shard.AcquireView());
    }
}
