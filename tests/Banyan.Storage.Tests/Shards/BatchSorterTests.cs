using Banyan.Storage.Rows;
using Banyan.Storage.Shards;

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
            WriteBatch batch = new(PartKind.Measure);
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
        WriteBatch batch = new(PartKind.Stream);
        batch.AddColumn("f", "t", ColumnValueType.Int64);
        batch.AddRow(2, 10, 1, [ColumnValue.FromInt64(1)]);
        batch.AddRow(1, 10, 2, [ColumnValue.FromInt64(2)]);
        batch.AddRow(2, 10, 3, [ColumnValue.FromInt64(3)]);
        Assert.Same(batch, BatchSorter.Sort(batch));

        WriteBatch distinct = new(PartKind.Stream);
        distinct.AddColumn("f", "t", ColumnValueType.Int64);
        distinct.AddRow(2, 10, 1, [ColumnValue.FromInt64(1)]);
        distinct.AddRow(1, 10, 2, [ColumnValue.FromInt64(2)]);
        WriteBatch sorted = BatchSorter.Sort(distinct);
        Assert.Equal([1UL, 2UL], sorted.SeriesIds.ToArray());
        Assert.Equal([2L, 1L], sorted.Versions.ToArray());
    }
}
