using System.Diagnostics;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks;

/// <summary>One sustained ingest of the dataset into a fresh shard: concurrent writers, flushes and merges running, then a final full merge.</summary>
public static class ShardIngestRun
{
    /// <summary>
    /// The result of one run; CpuSeconds is the process CPU time from the start of the run to the end of
    /// the final merge, IngestCpuSeconds to the end of the ingest phase (every sample in a disk part: the
    /// span VictoriaMetrics' server CPU is measured over, its import and force_flush).
    /// </summary>
    public sealed record Result(double IngestSeconds, double TailSeconds, double FinalMergeSeconds, double SamplesPerSecond, long LiveBytes, long AllocatedLiveBytes, long DirectoryBytes, int Parts, long Samples, double TotalSeconds, double CpuSeconds, double IngestCpuSeconds)
    {
        /// <summary>Writes that waited for memory during the ingest (back-pressure), and their seconds together.</summary>
        public (long Count, double Seconds) MemoryWaits { get; init; }

        /// <summary>WAL fsyncs during the ingest, and their seconds together.</summary>
        public (long Count, double Seconds) Fsyncs { get; init; }
    }

    // Seal and flush thresholds: the product defaults unless BANYAN_BENCH_SEAL_ROWS or BANYAN_BENCH_FLUSH_BYTES say otherwise (for tuning experiments).
    public static ShardOptions Options(bool wal) => new()
    {
        Kind = DataKind.Measure,
        WalEnabled = wal,
        SealRows = Environment.GetEnvironmentVariable("BANYAN_BENCH_SEAL_ROWS") is string rows ? int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture) : new ShardOptions().SealRows,
        FlushThresholdBytes = Environment.GetEnvironmentVariable("BANYAN_BENCH_FLUSH_BYTES") is string flush ? long.Parse(flush, System.Globalization.CultureInfo.InvariantCulture) : new ShardOptions().FlushThresholdBytes,
    };

    public static WriteBatch[] Batches(ShardIngestData data, int samplesPerBatch)
    {
        int count = (data.Count + samplesPerBatch - 1) / samplesPerBatch;
        WriteBatch[] batches = new WriteBatch[count];
        for (int b = 0; b < count; b++)
        {
            int start = b * samplesPerBatch;
            int n = Math.Min(samplesPerBatch, data.Count - start);
            WriteBatch batch = new(DataKind.Measure);
            int column = batch.AddColumn(null, "value", ColumnValueType.Float64);
            long[] versions = new long[n];
            batch.AppendKeys(data.Series.AsSpan(start, n), data.Timestamps.AsSpan(start, n), versions);
            batch.Columns[column].AppendDoubles(data.Values.AsSpan(start, n));
            batches[b] = batch;
        }

        return batches;
    }

    /// <summary>
    /// Writes every batch with <paramref name="writers"/> concurrent writers while a maintenance loop
    /// flushes and merges; with a <paramref name="check"/>, then scans the shard and checks every
    /// sample exactly (after the timings; the BenchmarkDotNet op checks the reopened shard instead).
    /// Each writer waits for a write's acknowledgement before its next one, or with <paramref name="inFlight"/> above 1
    /// keeps that many writes unacknowledged at once, as a client of the service's write streams does (a stream sends
    /// on while earlier messages wait for their fsync).
    /// </summary>
    /// <exception cref="IngestCheckException">The shard holds other samples than the batches.</exception>
    public static Result Run(string directory, WriteBatch[] batches, bool wal, int writers, ShardIngestCheck? check, int inFlight = 1)
    {
        Stopwatch total = Stopwatch.StartNew();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        long samples = 0;
        foreach (WriteBatch batch in batches)
        {
            samples += batch.Count;
        }

        using Shard shard = Shard.Open(directory, Options(wal));
        using StorageWaits waits = new();
        int next = -1;
        using CancellationTokenSource stop = new();
        Thread maintenance = new(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                shard.Flush();
                while (shard.Merge())
                {
                }

                stop.Token.WaitHandle.WaitOne(200);
            }
        })
        { Name = "ingest-maintenance" };
        Stopwatch ingest = Stopwatch.StartNew();
        maintenance.Start();
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++)
        {
            threads[w] = new Thread(() =>
            {
                int b;
                if (inFlight <= 1)
                {
                    while ((b = Interlocked.Increment(ref next)) < batches.Length)
                    {
                        shard.Write(batches[b]);
                    }

                    return;
                }

                Queue<Task> pending = new(inFlight);
                while ((b = Interlocked.Increment(ref next)) < batches.Length)
                {
                    if (pending.Count == inFlight)
                    {
                        pending.Dequeue().GetAwaiter().GetResult();
                    }

                    pending.Enqueue(shard.WriteAsync(batches[b]).AsTask());
                }

                while (pending.Count > 0)
                {
                    pending.Dequeue().GetAwaiter().GetResult();
                }
            })
            { Name = "ingest-writer" };
            threads[w].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        // Every write acknowledged; the tail is the flush of what is still in memory. A merge the
        // maintenance loop may be running meanwhile is not part of getting the samples to disk.
        double writeSeconds = ingest.Elapsed.TotalSeconds;
        stop.Cancel();
        shard.Flush();
        ingest.Stop(); // sustained ingest = until every sample is in an on-disk part
        double ingestCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        ((long Count, double Seconds) memoryWaits, (long Count, double Seconds) fsyncs) = (waits.MemoryWaits, waits.Fsyncs);
        maintenance.Join();
        Stopwatch merge = Stopwatch.StartNew();
        shard.Merge(force: true);
        merge.Stop();
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        long live = 0;
        long allocated = 0;
        foreach (long id in shard.DiskPartIds)
        {
            (long apparent, long blocks) = Sizes(Path.Combine(directory, Banyan.Storage.Snapshots.SnapshotStore.PartFolderName(id)));
            live += apparent;
            allocated += blocks;
        }

        int parts = shard.DiskPartIds.Count;
        total.Stop();
        // A fast ingest that lost, duplicated or changed a sample would be no result.
        check?.VerifyScan(shard);

        return new Result(ingest.Elapsed.TotalSeconds, ingest.Elapsed.TotalSeconds - writeSeconds, merge.Elapsed.TotalSeconds, samples / ingest.Elapsed.TotalSeconds, live, allocated, Sizes(directory).Apparent, parts, samples, total.Elapsed.TotalSeconds, cpuSeconds, ingestCpuSeconds)
        {
            MemoryWaits = memoryWaits,
            Fsyncs = fsyncs,
        };
    }

    private static (long Apparent, long Allocated) Sizes(string directory)
    {
        long apparent = 0;
        long allocated = 0;
        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            long length = new FileInfo(file).Length;
            apparent += length;
            allocated += (length + 4095) / 4096 * 4096; // 4 KiB blocks, as du reports on ext4/xfs
        }

        return (apparent, allocated);
    }
}
