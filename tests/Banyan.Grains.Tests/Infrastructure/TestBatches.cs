using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>Small write batches for grain tests.</summary>
public static class TestBatches
{
    /// <summary>A stream batch of <paramref name="rows"/> elements of one series, one string tag, timestamps from <paramref name="firstTimestamp"/> (ns).</summary>
    public static WriteBatch Stream(int rows, long firstTimestamp, ulong seriesId = 42, long firstElementId = 1)
    {
        WriteBatch batch = new(DataKind.Stream);
        batch.AddColumn("default", "message", ColumnValueType.String);
        for (int i = 0; i < rows; i++)
        {
            batch.AddRow(seriesId, firstTimestamp + i, firstElementId + i, [ColumnValue.FromString("row " + i)]);
        }

        return batch;
    }

    /// <summary>A measure batch of <paramref name="rows"/> samples of one series with an int64 field.</summary>
    public static WriteBatch Measure(int rows, long firstTimestamp, ulong seriesId = 7)
    {
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "value", ColumnValueType.Int64);
        for (int i = 0; i < rows; i++)
        {
            batch.AddRow(seriesId, firstTimestamp + i, 1, [ColumnValue.FromInt64(i)]);
        }

        return batch;
    }

    /// <summary>
    /// A batch of measure <c>cpm</c> (<see cref="Banyan.Tests.Shared.Writes.WriteSchemas.Measure"/>): <paramref name="rows"/> samples of the
    /// series whose entity tag <c>entity_id</c> is <paramref name="entity"/>, as the write planner builds it (named, the
    /// entity tag as a column, the series id the hash of subject and entity).
    /// </summary>
    public static WriteBatch Cpm(int rows, long firstTimestamp, string entity)
    {
        WriteBatch batch = new(DataKind.Measure, "cpm");
        batch.AddColumn("default", "entity_id", ColumnValueType.String);
        batch.AddColumn(null, "total", ColumnValueType.Int64);
        ulong seriesId = Banyan.Storage.Series.SeriesKey.ComputeSeriesId("cpm", [TagValue.FromString(entity)]);
        for (int i = 0; i < rows; i++)
        {
            batch.AddRow(seriesId, firstTimestamp + i, 1, [ColumnValue.FromString(entity), ColumnValue.FromInt64(i)]);
        }

        return batch;
    }

    /// <summary>Nanoseconds since the Unix epoch of <paramref name="time"/>.</summary>
    public static long Nanos(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
