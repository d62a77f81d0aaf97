using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// Measure batches that overwrite each other: 350 keys (7 series × 50 timestamps), each batch writes
/// 20 of them with version = batch id and field <c>v</c> = batch id × 1000 + key. Batch ids grow, so
/// after recovery every key must hold the version of the newest batch that wrote it and survived,
/// at least that of the newest acknowledged one; and a batch that survived survived whole.
/// </summary>
internal static class MeasureBatches
{
    public const int Series = 7;
    public const int Slots = 50;
    public const int Keys = Series * Slots;
    public const int RowsPerBatch = 20;
    private static readonly ulong[] s_seriesIds = SeriesIds();

    public static ShardOptions Options() => new()
    {
        Kind = DataKind.Measure,
        FlushThresholdBytes = 16 * 1024,
        MaxMemoryBytes = 256 * 1024,
        MaxMemoryParts = 16,
        SealRows = 100,
        Wal = new Wal.WalOptions { MaxFileSize = 32 * 1024 },
        Merge = new MergePolicy { MaxPartsPerMerge = 4, MinOutputToLargestRatio = 1.5 },
    };

    /// <summary>The key row <paramref name="row"/> of batch <paramref name="batchId"/> writes (distinct within a batch: 17 is prime to 350).</summary>
    public static int KeyOf(long batchId, int row) => (int)(((batchId * 31) + (row * 17)) % Keys);

    public static long ValueOf(long batchId, int key) => (batchId * 1000) + key;

    public static string ServiceOf(int series) => "svc-" + series.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static ulong SeriesOf(int key) => s_seriesIds[key / Slots];

    public static long TimestampOf(int key) => 1_700_000_000_000_000_000 + ((key % Slots) * 1000L);

    public static WriteBatch Batch(long batchId)
    {
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        batch.AddColumn("default", "svc", ColumnValueType.String);
        Span<ColumnValue> values = new ColumnValue[2];
        for (int row = 0; row < RowsPerBatch; row++)
        {
            int key = KeyOf(batchId, row);
            values[0] = ColumnValue.FromInt64(ValueOf(batchId, key));
            values[1] = ColumnValue.FromString(ServiceOf(key / Slots));
            batch.AddRow(SeriesOf(key), TimestampOf(key), batchId, values);
        }

        return batch;
    }

    private static ulong[] SeriesIds()
    {
        ulong[] ids = new ulong[Series];
        for (int i = 0; i < Series; i++)
        {
            ids[i] = SeriesKey.ComputeSeriesId("crash_measure", [TagValue.FromString(ServiceOf(i))]);
        }

        return ids;
    }
}
