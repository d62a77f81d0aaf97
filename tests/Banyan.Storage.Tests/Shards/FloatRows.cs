using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// The small measure rows shard tests write and read back: one float64 field <c>v</c>; batch <c>b</c> has rows on series
/// 1..3 at timestamps <c>b·1000 + i</c> with value <c>b + i/100</c>, so every key of every batch is distinct.
/// </summary>
internal static class FloatRows
{
    /// <summary>Batch <paramref name="batch"/> of <paramref name="rows"/> rows.</summary>
    public static WriteBatch Batch(int batch, int rows = 10)
    {
        WriteBatch b = new(DataKind.Measure);
        b.AddColumn(null, "v", ColumnValueType.Float64);
        for (int i = 0; i < rows; i++)
        {
            b.AddRow((ulong)(i % 3) + 1, (batch * 1000L) + i, 1, [ColumnValue.FromFloat64(batch + (i / 100.0))]);
        }

        return b;
    }

    /// <summary>Every row the shard returns to a full scan, in scan order.</summary>
    public static List<(ulong Series, long Timestamp, double Value)> ReadAll(Shard shard)
    {
        using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
        List<(ulong, long, double)> rows = [];
        while (scan.MoveNext())
        {
            rows.Add((scan.SeriesId, scan.Timestamp, scan.CurrentBlock.FindColumn(null, "v")!.GetDouble(scan.CurrentRow)));
        }

        return rows;
    }
}
