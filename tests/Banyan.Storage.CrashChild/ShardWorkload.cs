using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// Three writers write stream batches to one shard while a maintenance thread flushes and merges
/// without pause, so a kill lands during writes, flushes and merges alike. Each batch's rows carry
/// element ids batch * 1000 + row, from which the checker derives series, timestamp and value.
/// The shard indexes its series (entity tag <c>svc</c>) and the tag <c>v</c>, so the checker can
/// also verify the indexes recovered with the rows.
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

    public static void Run(string directory, int seed, long firstBatch, AckWriter acks)
    {
        using Shard shard = Shard.Open(directory, Options());
        acks.Ack("READY");
        Thread maintenance = new(() =>
        {
            Random random = new(seed);
            while (true)
            {
                shard.Flush();
                shard.Merge(force: random.Next(5) == 0);
                Thread.Sleep(random.Next(3));
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
                for (long i = 0; ; i++)
                {
                    long batchId = firstBatch + (i * Writers) + writer;
                    shard.Write(Batch(batchId));
                    acks.Ack("ACK " + batchId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            })
            { IsBackground = true };
            threads[w].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }
    }
}
