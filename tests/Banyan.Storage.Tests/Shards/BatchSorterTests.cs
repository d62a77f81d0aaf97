using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

public sealed class BatchSorterTests
{
    [Fact]
    public void Measure_rows_come_out_sorted_with_the_winning_version_of_each_key()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        for (int round = 0; round < 100; round++)
        {
            WriteBatch batch = new(DataKind.Measure);
            batch.AddColumn(null, "v", ColumnValueType.Int64);
            batch.AddColumn("f", "t", ColumnValueType.String);
            int rows = random.Next(0, 200);
            SortedDictionary<(ulong, long), (long Version, long Value)> expected = [];
            for (int i = 0; i < rows; i++)
            {
                ulong series = (ulong)random.Next(1, 6);
                long time = random.Next(0, 20);
                long version = random.Next(0, 3);
                batch.AddRow(series, time, version, [ColumnValue.FromInt64(i), random.Next(3) == 0 ? ColumnValue.Null : ColumnValue.FromString("s" + i)]);
                if (!expected.TryGetValue((series, time), out (long Version, long Value) current) || version >= current.Version)
                {
                    expected[(series, time)] = (version, i);
                }
            }

            WriteBatch sorted = BatchSorter.Sort(batch);
            Assert.Equal(expected.Count, sorted.Count);
            int row = 0;
            foreach (KeyValuePair<(ulong Series, long Time), (long Version, long Value)> pair in expected)
            {
                string context = $"seed {seed}, round {round}, row {row}";
                Assert.True(sorted.SeriesIds[row] == pair.Key.Series && sorted.Timestamps[row] == pair.Key.Time, context);
                Assert.True(sorted.Versions[row] == pair.Value.Version && sorted.Columns[0].GetInt64(row) == pair.Value.Value, context);
                int source = (int)pair.Value.Value;
                Assert.True(batch.Columns[1].GetValue(source).Equals(sorted.Columns[1].GetValue(row)), context);
                row++;
            }
        }
    }

    [Fact]
    public void Stream_rows_with_repeated_keys_are_left_to_the_memory_part()
    {
        WriteBatch batch = new(DataKind.Stream);
        batch.AddColumn("f", "t", ColumnValueType.Int64);
        batch.AddRow(2, 10, 1, [ColumnValue.FromInt64(1)]);
        batch.AddRow(1, 10, 2, [ColumnValue.FromInt64(2)]);
        batch.AddRow(2, 10, 3, [ColumnValue.FromInt64(3)]);
        Assert.Same(batch, BatchSorter.Sort(batch));

        WriteBatch distinct = new(DataKind.Stream);
        distinct.AddColumn("f", "t", ColumnValueType.Int64);
        distinct.AddRow(2, 10, 1, [ColumnValue.FromInt64(1)]);
        distinct.AddRow(1, 10, 2, [ColumnValue.FromInt64(2)]);
        WriteBatch sorted = BatchSorter.Sort(distinct);
        Assert.Equal([1UL, 2UL], sorted.SeriesIds.ToArray());
        Assert.Equal([2L, 1L], sorted.Versions.ToArray());
    }

    [Theory]
    [InlineData(1, 20_000)] // one series: a single skewed bucket
    [InlineData(3, 5_000)] // few series with small ids: all in bucket 0
    [InlineData(500, 40_000)] // hashed ids: buckets of one or two series
    [InlineData(20_000, 20_000)] // more series than buckets
    public void Keys_sort_like_a_comparison_sort_for_any_spread_of_series_ids(int seriesCount, int rows)
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        ulong[] ids = new ulong[seriesCount];
        for (int s = 0; s < seriesCount; s++)
        {
            ids[s] = seriesCount <= 3 ? (ulong)(s + 1) : (ulong)random.NextInt64() * 2 + 1;
        }

        // Time-major arrival with some late and repeated timestamps.
        ulong[] series = new ulong[rows];
        long[] times = new long[rows];
        for (int i = 0; i < rows; i++)
        {
            series[i] = ids[i % seriesCount];
            times[i] = random.Next(10) == 0 ? random.Next(0, 1000) : i / seriesCount * 10;
        }

        ulong[] sortedSeries = new ulong[rows];
        long[] sortedTimes = new long[rows];
        int[] order = new int[rows];
        BatchSorter.SortKeys(series, times, sortedSeries, sortedTimes, order);
        (ulong, long)[] expected = [.. Enumerable.Range(0, rows).Select(i => (series[i], times[i])).Order()];
        bool[] seen = new bool[rows];
        for (int i = 0; i < rows; i++)
        {
            Assert.True(expected[i] == (sortedSeries[i], sortedTimes[i]), $"seed {seed}: position {i} holds ({sortedSeries[i]}, {sortedTimes[i]}), expected {expected[i]}");
            int row = order[i];
            Assert.True(!seen[row] && series[row] == sortedSeries[i] && times[row] == sortedTimes[i], $"seed {seed}: position {i} maps to row {row}, which does not hold its key or was used twice");
            seen[row] = true;
        }
    }
}
