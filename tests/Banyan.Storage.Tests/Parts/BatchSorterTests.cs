using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

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

            // Sorted and deduplicated by the memory-part builder, read back block by block.
            MemoryPart part = MemoryPart.Build(batch);
            var sorted = new List<(ulong Series, long Time, long Version, long Value, ColumnValue Tag)>();
            foreach (Block block in part.Blocks)
            {
                for (int r = 0; r < block.Count; r++)
                {
                    sorted.Add((block.SeriesId, block.Timestamps[r], block.Versions[r], block.Columns[0].GetInt64(r), block.Columns[1].GetValue(r)));
                }
            }

            Assert.Equal(expected.Count, sorted.Count);
            int row = 0;
            foreach (KeyValuePair<(ulong Series, long Time), (long Version, long Value)> pair in expected)
            {
                string context = $"seed {seed}, round {round}, row {row}";
                Assert.True(sorted[row].Series == pair.Key.Series && sorted[row].Time == pair.Key.Time, context);
                Assert.True(sorted[row].Version == pair.Value.Version && sorted[row].Value == pair.Value.Value, context);
                int source = (int)pair.Value.Value;
                Assert.True(batch.Columns[1].GetValue(source).Equals(sorted[row].Tag), context);
                row++;
            }
        }
    }

    [Fact]
    public void Equal_stream_keys_are_put_back_in_arrival_order()
    {
        ulong[] series = [2, 1, 2, 2, 1];
        long[] times = [10, 10, 10, 10, 10];
        ulong[] sortedSeries = new ulong[5];
        long[] sortedTimes = new long[5];
        int[] order = new int[5];
        BatchSorter.SortKeys(series, times, sortedSeries, sortedTimes, order);
        order.AsSpan(0, 2).Reverse(); // whatever order a comparison sort left them in
        order.AsSpan(2, 3).Reverse();
        Assert.True(BatchSorter.OrderEqualKeysByArrival(sortedSeries, sortedTimes, order));
        Assert.Equal([1, 4, 0, 2, 3], order);
        Assert.False(BatchSorter.OrderEqualKeysByArrival([1UL, 2UL], [10L, 10L], new int[] { 1, 0 }));
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

    [Theory]
    [InlineData(1, 20_000, Arrival.TwoWriters)] // one series, nearly in time order: finished by insertion
    [InlineData(1, 5_000, Arrival.Reversed)] // one series in reverse: insertion gives up, comparison sort
    [InlineData(3, 5_000, Arrival.Random)] // few series with small ids: one skewed bucket
    [InlineData(500, 40_000, Arrival.TwoWriters)] // hashed ids, buckets of one or two series
    [InlineData(20_000, 100_000, Arrival.Random)] // more series than buckets
    [InlineData(3, 150_000, Arrival.TwoWriters)] // a skewed bucket above the second pass's scratch: comparison sort
    public void Values_moved_with_the_keys_are_those_of_the_rows_at_their_positions(int seriesCount, int rows, Arrival arrival)
    {
        int seed = Environment.TickCount;
        (ulong[] series, long[] times) = Keys(seriesCount, rows, arrival, new Random(seed));

        // Two payloads: the row number and a value derived from it, so a mix-up shows in either.
        long[][] sources = [new long[rows], new long[rows]];
        long[][] targets = [new long[rows + 3], new long[rows + 3]];
        for (int i = 0; i < rows; i++)
        {
            sources[0][i] = i;
            sources[1][i] = (long)series[i] ^ times[i] * 31;
        }

        ulong[] sortedSeries = new ulong[rows];
        long[] sortedTimes = new long[rows];
        int[] order = new int[rows];
        BatchSorter.SortKeys(series, times, sortedSeries, sortedTimes, order, sources, targets);
        bool[] seen = new bool[rows];
        for (int k = 0; k < rows; k++)
        {
            string context = $"seed {seed}, position {k}";
            Assert.True(k == 0 || sortedSeries[k - 1] < sortedSeries[k] || (sortedSeries[k - 1] == sortedSeries[k] && sortedTimes[k - 1] <= sortedTimes[k]), $"{context}: keys out of order");
            int row = order[k];
            Assert.True(!seen[row] && series[row] == sortedSeries[k] && times[row] == sortedTimes[k], $"{context}: row {row} does not hold the key or was used twice");
            seen[row] = true;
            Assert.True(targets[0][k] == sources[0][row] && targets[1][k] == sources[1][row], $"{context}: values are not those of row {row}");
        }
    }

    [Fact]
    public void Values_follow_equal_stream_keys_put_back_in_arrival_order()
    {
        ulong[] series = [2, 1, 2, 2, 1];
        long[] times = [10, 10, 10, 10, 10];
        long[][] sources = [[100, 101, 102, 103, 104]];
        long[][] targets = [new long[5]];
        ulong[] sortedSeries = new ulong[5];
        long[] sortedTimes = new long[5];
        int[] order = new int[5];
        BatchSorter.SortKeys(series, times, sortedSeries, sortedTimes, order, sources, targets);
        order.AsSpan(0, 2).Reverse(); // whatever order a comparison sort left them in, values with them
        targets[0].AsSpan(0, 2).Reverse();
        order.AsSpan(2, 3).Reverse();
        targets[0].AsSpan(2, 3).Reverse();
        Assert.True(BatchSorter.OrderEqualKeysByArrival(sortedSeries, sortedTimes, order, sources, targets));
        Assert.Equal([1, 4, 0, 2, 3], order);
        Assert.Equal([101L, 104, 100, 102, 103], targets[0]);
    }

    [Theory]
    [InlineData(1, 20_000, Arrival.TwoWriters, false)]
    [InlineData(1, 5_000, Arrival.Reversed, true)]
    [InlineData(3, 5_000, Arrival.Random, true)]
    [InlineData(500, 40_000, Arrival.TwoWriters, true)]
    [InlineData(500, 40_000, Arrival.Random, false)]
    [InlineData(20_000, 100_000, Arrival.Random, true)]
    [InlineData(10_000, 262_144, Arrival.TwoWriters, true)] // a seal of the default size
    [InlineData(3, 150_000, Arrival.TwoWriters, true)]
    [InlineData(2, 3, Arrival.Random, true)] // fewer rows than ranges of the last step
    public void Two_threads_sort_exactly_as_one_does(int seriesCount, int rows, Arrival arrival, bool payloads)
    {
        int seed = Environment.TickCount;
        (ulong[] series, long[] times) = Keys(seriesCount, rows, arrival, new Random(seed));
        long[][] sources = payloads ? [new long[rows], new long[rows]] : [];
        for (int p = 0; p < sources.Length; p++)
        {
            for (int i = 0; i < rows; i++)
            {
                sources[p][i] = p == 0 ? i : (long)series[i] ^ times[i] * 31;
            }
        }

        (ulong[] Series, long[] Times, int[] Order, long[][] Values) Sort(bool twoThreads)
        {
            ulong[] sortedSeries = new ulong[rows];
            long[] sortedTimes = new long[rows];
            int[] order = new int[rows];
            long[][] targets = [.. sources.Select(_ => new long[rows])];
            BatchSorter.SortKeys(series, times, sortedSeries, sortedTimes, order, sources, targets, twoThreads);
            return (sortedSeries, sortedTimes, order, targets);
        }

        var one = Sort(twoThreads: false);
        var two = Sort(twoThreads: true);
        Assert.True(one.Series.AsSpan().SequenceEqual(two.Series), $"seed {seed}: series differ");
        Assert.True(one.Times.AsSpan().SequenceEqual(two.Times), $"seed {seed}: timestamps differ");
        Assert.True(one.Order.AsSpan().SequenceEqual(two.Order), $"seed {seed}: rows differ (equal keys must keep the one-thread order)");
        for (int p = 0; p < sources.Length; p++)
        {
            Assert.True(one.Values[p].AsSpan().SequenceEqual(two.Values[p]), $"seed {seed}: payload {p} differs");
        }
    }

    [Fact]
    public void Only_a_seal_sorts_on_two_threads_never_a_read_that_may_run_on_a_grain_turn()
    {
        int many = BatchSorter.TwoThreadRows * 4;
        Assert.Equal(Environment.ProcessorCount > 1, MemoryPartBuilder.SortsOnTwoThreads(filter: null, many));
        Assert.False(MemoryPartBuilder.SortsOnTwoThreads(filter: null, BatchSorter.TwoThreadRows - 1));
        Assert.False(MemoryPartBuilder.SortsOnTwoThreads(SeriesTimeFilter.All, many));
        Assert.False(MemoryPartBuilder.SortsOnTwoThreads(new SeriesTimeFilter([1UL, 2UL], 0, 100), many));
    }

    // Keys of `rows` rows over `seriesCount` series (small ids for up to three series, so they share a bucket; hashed
    // ids otherwise), time-major, each series' times arriving as `arrival` says.
    private static (ulong[] Series, long[] Times) Keys(int seriesCount, int rows, Arrival arrival, Random random)
    {
        ulong[] ids = new ulong[seriesCount];
        for (int s = 0; s < seriesCount; s++)
        {
            ids[s] = seriesCount <= 3 ? (ulong)(s + 1) : (ulong)random.NextInt64() * 2 + 1;
        }

        // Two writers: some pairs of neighbouring batches (one timestamp each) arrive swapped.
        bool[] swapped = new bool[rows / seriesCount / 2 + 1];
        for (int p = 0; p < swapped.Length; p++)
        {
            swapped[p] = random.Next(3) == 0;
        }

        ulong[] series = new ulong[rows];
        long[] times = new long[rows];
        for (int i = 0; i < rows; i++)
        {
            series[i] = ids[i % seriesCount];
            long step = i / seriesCount;
            times[i] = arrival switch
            {
                Arrival.Reversed => rows - step,
                Arrival.Random => random.Next(10) == 0 ? random.Next(0, 1000) : step * 10,
                _ => (swapped[step / 2] ? step ^ 1 : step) * 10,
            };
        }

        return (series, times);
    }

    /// <summary>How the rows of each series arrive in time.</summary>
    public enum Arrival
    {
        /// <summary>In time order but for neighbouring batches swapped, as two writers commit them.</summary>
        TwoWriters,

        /// <summary>Every series' times descending.</summary>
        Reversed,

        /// <summary>In time order but for one row in ten at a random time.</summary>
        Random,
    }
}
