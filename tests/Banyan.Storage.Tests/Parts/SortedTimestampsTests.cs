using Banyan.Storage.Parts;

namespace Banyan.Storage.Tests.Parts;

public sealed class SortedTimestampsTests
{
    // The rows of a block inside a range, against a walk over every row: ascending timestamps with repeats (streams keep
    // several rows at one instant), ranges before, after, inside and across the rows, long's extremes included.
    [Fact]
    public void Rows_within_a_range_are_exactly_the_rows_whose_timestamps_it_holds()
    {
        var random = new Random(11);
        for (int round = 0; round < 2_000; round++)
        {
            long[] timestamps = new long[random.Next(0, 40)];
            long t = random.Next(4) == 0 ? long.MinValue : random.NextInt64(-1_000, 1_000);
            for (int i = 0; i < timestamps.Length; i++)
            {
                t = random.Next(3) == 0 ? t : Math.Min(long.MaxValue - 10, t + random.Next(1, 10));
                timestamps[i] = t;
            }

            long min = random.Next(6) == 0 ? long.MinValue : random.NextInt64(-1_100, 1_300);
            long max = random.Next(6) == 0 ? long.MaxValue : random.NextInt64(-1_100, 1_300);
            int[] inside = [.. Enumerable.Range(0, timestamps.Length).Where(i => timestamps[i] >= min && timestamps[i] <= max)];
            (int start, int end) = SortedTimestamps.Within(timestamps, min, max);
            string where = $"round {round}: [{string.Join(", ", timestamps)}] within [{min}, {max}]";
            Assert.True(start <= end, where);
            Assert.True(inside.SequenceEqual(Enumerable.Range(start, end - start)) || (inside.Length == 0 && start == end), where);
        }
    }
}
