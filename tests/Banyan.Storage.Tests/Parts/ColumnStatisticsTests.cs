using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// The statistics of integer rows (<see cref="ColumnStatistics.Compute(ColumnBuffer, int, int)"/>) against a model that
/// adds row by row: columns with and without nulls (computed by different loops), any row range, and sums that
/// overflow 64 bits (flagged, with the sum cleared) or only come close.
/// </summary>
public sealed class ColumnStatisticsTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Integer_statistics_of_any_row_range_equal_a_row_by_row_model(int seed, bool withNulls)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 300; trial++)
        {
            int rows = random.Next(1, 80);
            // Small values, values near the limits (sums that overflow), or both.
            long bound = (trial % 3) switch { 0 => 1_000, 1 => long.MaxValue / 4, _ => long.MaxValue };
            var column = new ColumnBuffer(null, "v", ColumnValueType.Int64);
            var model = new long?[rows];
            for (int r = 0; r < rows; r++)
            {
                if (withNulls && random.Next(5) == 0)
                {
                    column.AppendNull();
                    continue;
                }

                long v = random.NextInt64(-bound, bound);
                column.AppendInt64(v);
                model[r] = v;
            }

            int start = random.Next(0, rows);
            int length = random.Next(0, rows - start + 1);
            ColumnStatistics stats = ColumnStatistics.Compute(column, start, length);
            long[] values = [.. model.Skip(start).Take(length).Where(v => v is not null).Select(v => v!.Value)];
            bool overflow = false;
            long sum = 0;
            foreach (long v in values)
            {
                long next = unchecked(sum + v);
                overflow |= (v > 0 && next < sum) || (v < 0 && next > sum);
                sum = next;
            }

            string at = $"seed {seed} trial {trial}: rows [{start}, {start + length}) of {rows}";
            Assert.True(values.Length == stats.Count, $"{at}: count {stats.Count}, expected {values.Length}");
            Assert.True(overflow == stats.SumOverflowed, $"{at}: overflow {stats.SumOverflowed}, expected {overflow}");
            Assert.True((overflow ? 0 : sum) == stats.Int64Sum, $"{at}: sum {stats.Int64Sum}, expected {(overflow ? 0 : sum)}");
            if (values.Length > 0)
            {
                Assert.Equal((values.Min(), values.Max(), values[0], values[^1]), (stats.Int64Min, stats.Int64Max, stats.Int64First, stats.Int64Last));
            }
        }
    }
}
