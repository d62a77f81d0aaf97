using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// Three writers write batches to one shard while a maintenance thread flushes and merges
/// without pause, so a kill lands during writes, flushes and merges alike. In a stream shard each
/// batch's rows carry element ids batch * 1000 + row, from which the checker derives series, timestamp
/// and value, and the shard indexes its series (entity tag <c>svc</c>) and the tag <c>v</c>, so the
/// checker can also verify the indexes recovered with the rows. Measure shards: see
/// <see cref="MeasureBatches"/>.
/// </summary>
internal static class ShardWorkload
{
    public const int RowsPerBatch = 40;
    private const int Writers = 3;
    private const int Services = 13;
    private static readonly ulong[] s_seriesIds = SeriesIds();

    /// <summary>The indexes of the crash shard: series by <c>svc</c>, and the tag <c>v</c>.</summary>
    public static ShardIndexConfig Index { get; } = new(DataKind.Stream, "crash_stream", ["svc"], [new ShardIndexRule("v", "default")]);

    public static ShardOptions Options() => new()
    {
        Kind = DataKind.Stream,
        Index = Index,
        FlushThresholdBytes = 24 * 1024,
        MaxMemoryBytes = 256 * 1024,
        MaxMemoryParts = 16,
        SealRows = 200,
        Wal = new Wal.WalOptions { MaxFileSize = 32 * 1024 },
        Merge = new MergePolicy { MaxPartsPerMerge = 4, MinOutputToLargestRatio = 1.5 },
    };

    public static WriteBatch Batch(long batchId)
    {
        WriteBatch batch = new(DataKind.Stream);
        batch.AddColumn("default", "v", ColumnValueType.Int64);
        batch.AddColumn("default", "svc", ColumnValueType.String);
        Span<ColumnValue> values = new ColumnValue[2];
        for (int row = 0; row < RowsPerBatch; row++)
        {
            long element = (batchId * 1000) + row;
            values[0] = ColumnValue.FromInt64(element * 7);
            values[1] = ColumnValue.FromString(ServiceOf(element));
            batch.AddRow(SeriesOf(element), TimestampOf(element), element, values);
        }

        return batch;
    }

    public static string ServiceOf(long element) => "svc-" + (element % Services).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static ulong SeriesOf(long element) => s_seriesIds[element % Services];

    private static ulong[] SeriesIds()
    {
        ulong[] ids = new ulong[Services];
        for (int i = 0; i < Services; i++)
        {
            ids[i] = SeriesKey.ComputeSeriesId("crash_stream", [TagValue.FromString(ServiceOf(i))]);
        }

        return ids;
    }

    public static long TimestampOf(long element) => 1_700_000_000_000_000_000 + (element * 1000);

    /// <summary>
    /// Opens the shard and runs the writers and the maintenance thread until <paramref name="stop"/>
    /// says so or one of them fails; returns the first failure (the child runs until it is killed, the
    /// in-process power-loss tests until the power is cut, which <paramref name="expected"/> excuses).
    /// Batches are stream batches
    /// (<see cref="Batch"/>) or measure batches (<see cref="MeasureBatches.Batch"/>).
    /// </summary>
    public static Exception? Run(string directory, DataKind kind, int seed, long firstBatch, Action ready, Action<long> acknowledged, Func<bool> stop, Func<Exception, bool>? expected = null)
    {
        Shard shard = Shard.Open(directory, kind == DataKind.Stream ? Options() : MeasureBatches.Options());
        Exception? failure = null;
        bool halted = false;
        void Fail(Exception e)
        {
            // An expected failure (the power is off) ends the run without counting as one.
            if (expected?.Invoke(e) != true)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }

            Volatile.Write(ref halted, true);
        }

        bool Done() => Volatile.Read(ref halted) || stop();
        try
        {
            ready();
            Thread maintenance = new(() =>
            {
                Random random = new(seed);
                try
                {
                    while (!Done())
                    {
                        shard.Flush();
                        shard.Merge(force: random.Next(5) == 0);
                        Thread.Sleep(random.Next(3));
                    }
                }
                catch (Exception e)
                {
                    Fail(e);
                }
            })
            { IsBackground = true };
            maintenance.Start();
            Thread[] threads = new Thread[Writers];
            for (int w = 0; w < Writers; w++)
            {
                int writer = w;
                threads[w] = new Thread(() =>
                {
                    for (long i = 0; !Done(); i++)
                    {
                        long batchId = firstBatch + (i * Writers) + writer;
                        try
                        {
                            shard.Write(kind == DataKind.Stream ? Batch(batchId) : MeasureBatches.Batch(batchId));
                        }
                        catch (Exception e)
                        {
                            Fail(e);
                            return;
                        }

                        acknowledged(batchId);
                    }
                })
                { IsBackground = true };
                threads[w].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            maintenance.Join();
        }
        finally
        {
            try
            {
                shard.Dispose();
            }
            catch (IOException e)
            {
                Fail(e);
            }
        }

        return failure;
    }
}
