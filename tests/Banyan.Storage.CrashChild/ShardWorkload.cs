using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// Three writers write stream batches to one shard while a maintenance thread flushes and merges
/// without pause, so a kill lands during writes, flushes and merges alike. Each batch's rows carry
/// element ids batch * 1000 + row, from which the checker derives series, timestamp and value.
/// </summary>
internal static class ShardWorkload
{
    public const int RowsPerBatch = 40;
    private const int Writers = 3;

    public static ShardOptions Options() => new()
    {
        Kind = PartKind.Stream,
        FlushThresholdBytes = 24 * 1024,
        MaxMemoryBytes = 256 * 1024,
        MaxMemoryParts = 16,
        SealRows = 200,
        Wal = new Wal.WalOptions { MaxFileSize = 32 * 1024 },
        Merge = new MergePolicy { MaxPartsPerMerge = 4, MinOutputToLargestRatio = 1.5 },
    };

    public static WriteBatch Batch(long batchId)
    {
        WriteBatch batch = new(PartKind.Stream);
        batch.AddColumn("default", "v", ColumnValueType.Int64);
        Span<ColumnValue> values = new ColumnValue[1];
        for (int row = 0; row < RowsPerBatch; row++)
        {
            long element = (batchId * 1000) + row;
            values[0] = ColumnValue.FromInt64(element * 7);
            batch.AddRow(SeriesOf(element), TimestampOf(element), element, values);
        }

        return batch;
    }

    public static ulong SeriesOf(long element) => (ulong)(element % 13) * 0x9E3779B97F4A7C15UL;

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
