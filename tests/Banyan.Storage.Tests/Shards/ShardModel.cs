using Banyan.Storage.Columns;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

/// <summary>Reference model of a measure shard: per (series, timestamp) the highest version wins, a later write wins a tie.</summary>
public sealed class ShardModel
{
    private readonly SortedDictionary<(ulong Series, long Timestamp), (long Version, double Value)> _rows = [];

    public int Count => _rows.Count;

    public void Apply(WriteBatch batch)
    {
        ColumnBuffer values = batch.Columns[0];
        for (int i = 0; i < batch.Count; i++)
        {
            (ulong, long) key = (batch.SeriesIds[i], batch.Timestamps[i]);
            long version = batch.Versions[i];
            if (!_rows.TryGetValue(key, out (long Version, double Value) existing) || version >= existing.Version)
            {
                _rows[key] = (version, values.GetDouble(i));
            }
        }
    }

    public List<(ulong Series, long Timestamp, long Version, double Value)> Expected(ulong[]? series, long min, long max)
    {
        List<(ulong, long, long, double)> result = [];
        foreach (KeyValuePair<(ulong Series, long Timestamp), (long Version, double Value)> row in _rows)
        {
            if ((series is null || Array.BinarySearch(series, row.Key.Series) >= 0) && row.Key.Timestamp >= min && row.Key.Timestamp <= max)
            {
                result.Add((row.Key.Series, row.Key.Timestamp, row.Value.Version, row.Value.Value));
            }
        }

        return result;
    }

    public static List<(ulong Series, long Timestamp, long Version, double Value)> Read(ShardScan scan)
    {
        List<(ulong, long, long, double)> result = [];
        while (scan.MoveNext())
        {
            ColumnBuffer column = scan.CurrentBlock.FindColumn(null, "v") ?? throw new InvalidOperationException("column v missing");
            result.Add((scan.SeriesId, scan.Timestamp, scan.Version, column.GetDouble(scan.CurrentRow)));
        }

        return result;
    }

    public static void AssertSame(List<(ulong Series, long Timestamp, long Version, double Value)> expected, List<(ulong Series, long Timestamp, long Version, double Value)> actual, string context)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            Assert.True(expected[i] == actual[i], $"{context}: row {i} expected {expected[i]}, got {actual[i]} ({expected.Count} expected rows, {actual.Count} actual)");
        }

        Assert.True(expected.Count == actual.Count, $"{context}: expected {expected.Count} rows, got {actual.Count}");
    }

    public static WriteBatch RandomBatch(Random random, int maxRows, int seriesCount, long timeRange)
    {
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Float64);
        int rows = random.Next(1, maxRows + 1);
        Span<ColumnValue> values = new ColumnValue[1];
        for (int i = 0; i < rows; i++)
        {
            values[0] = ColumnValue.FromFloat64(Math.Round(random.NextDouble() * 1000, 2));
            batch.AddRow((ulong)random.Next(1, seriesCount + 1) * 0x9E3779B97F4A7C15UL, random.NextInt64(0, timeRange) * 1000, random.Next(0, 3), values);
        }

        return batch;
    }

    public static SeriesTimeFilter RandomQuery(Random random, int seriesCount, long timeRange, out ulong[]? series)
    {
        series = null;
        if (random.Next(2) == 0)
        {
            SortedSet<ulong> picked = [];
            int n = random.Next(1, 4);
            for (int i = 0; i < n; i++)
            {
                picked.Add((ulong)random.Next(1, seriesCount + 1) * 0x9E3779B97F4A7C15UL);
            }

            series = [.. picked];
        }

        long a = random.NextInt64(0, timeRange) * 1000;
        long b = random.NextInt64(0, timeRange) * 1000;
        return random.Next(4) == 0 ? new SeriesTimeFilter(series, long.MinValue, long.MaxValue) : new SeriesTimeFilter(series, Math.Min(a, b), Math.Max(a, b));
    }
}
