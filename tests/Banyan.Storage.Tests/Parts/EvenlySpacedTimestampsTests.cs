using Banyan.Storage.Parts;

namespace Banyan.Storage.Tests.Parts;

public sealed class EvenlySpacedTimestampsTests
{
    // The arithmetic against the search over the timestamps a part fills in for such a block (row i at first + i·step):
    // steps of 0 (all rows at one instant), 1 and large, spans past long's range, and ranges before, after, inside,
    // across and between the rows, long's extremes included.
    [Fact]
    public void Rows_within_a_range_are_those_the_filled_timestamps_give()
    {
        var random = new Random(23);
        for (int round = 0; round < 20_000; round++)
        {
            int count = random.Next(0, 50);
            ulong step = random.Next(5) switch
            {
                0 => 0,
                1 => 1,
                2 => (ulong)random.Next(2, 100),
                3 => (ulong)random.NextInt64(1, long.MaxValue) / (ulong)Math.Max(1, count),
                _ => 10_000_000_000UL, // ten seconds in nanoseconds, a scrape interval
            };
            long first = random.Next(4) switch
            {
                0 => long.MinValue,
                1 => long.MinValue + random.Next(0, 10),
                2 => random.NextInt64(-1_000, 1_000),
                _ => random.NextInt64(long.MinValue / 2, long.MaxValue / 2),
            };
            long[] timestamps = new long[count];
            for (int i = 0; i < count; i++)
            {
                timestamps[i] = unchecked((long)((ulong)first + ((ulong)i * step)));
            }

            if (Enumerable.Range(1, Math.Max(0, count - 1)).Any(i => timestamps[i] < timestamps[i - 1]))
            {
                continue; // wrapped past long.MaxValue: not ascending, so never a block
            }

            long last = count > 0 ? timestamps[^1] : first;
            (long min, long max) = RangeAround(random, timestamps, first);
            (int start, int end) = EvenlySpacedTimestamps.Within(first, last, count, min, max);
            string where = $"round {round}: {count} rows from {first} by {step}, within [{min}, {max}]";
            (int searchedStart, int searchedEnd) = SortedTimestamps.Within(timestamps, min, max);
            bool same = searchedStart == searchedEnd ? start == end : (start, end) == (searchedStart, searchedEnd); // "none" may be anywhere
            Assert.True(same, where + $": got [{start}, {end}), the search [{searchedStart}, {searchedEnd})");

            // The step given back places every row where the part reader fills it, without a division per row.
            (int stepStart, int stepEnd) = EvenlySpacedTimestamps.Within(first, last, count, min, max, out ulong given);
            Assert.Equal((start, end), (stepStart, stepEnd));
            if (end > start)
            {
                Assert.True(
                    EvenlySpacedTimestamps.At(first, given, start) == timestamps[start] && EvenlySpacedTimestamps.At(first, given, end - 1) == timestamps[end - 1],
                    where + $": rows {start} and {end - 1} placed at {EvenlySpacedTimestamps.At(first, given, start)} and {EvenlySpacedTimestamps.At(first, given, end - 1)}");
            }
        }
    }

    // Bounds near the rows (on one, just before or after one, between two), far away, or long's extremes.
    private static (long Min, long Max) RangeAround(Random random, long[] timestamps, long first)
    {
        long Pick()
        {
            if (timestamps.Length == 0 || random.Next(8) == 0)
            {
                return random.Next(3) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => random.NextInt64(Math.Clamp(first, long.MinValue + 1_000, long.MaxValue - 1_000) - 1_000, Math.Clamp(first, long.MinValue + 1_000, long.MaxValue - 1_000) + 1_000) };
            }

            long near = timestamps[random.Next(timestamps.Length)];
            return random.Next(3) switch
            {
                0 => near,
                1 => near == long.MinValue ? near : near - 1,
                _ => near == long.MaxValue ? near : near + 1,
            };
        }

        long a = Pick();
        long b = Pick();
        return random.Next(10) == 0 ? (Math.Max(a, b), Math.Min(a, b)) : (Math.Min(a, b), Math.Max(a, b)); // an empty range now and then
    }
}
