namespace Banyan.Storage.Parts;

/// <summary>
/// The rows of a block whose timestamps are evenly spaced (the part does not store them: row i is at
/// first + i·step, step = (last − first)/(n − 1), docs/format/primary.bin.md) that fall in a time range, found by
/// arithmetic. Metrics are scraped or aggregated at a fixed interval, so most measure blocks are of this kind, and a
/// chart's bucket then costs no binary search over the decoded timestamps (two of them per block and bucket, each a
/// walk of cache lines the query has not touched yet).
/// </summary>
internal static class EvenlySpacedTimestamps
{
    /// <summary>
    /// The rows [start, end) of a block of <paramref name="count"/> evenly spaced timestamps from
    /// <paramref name="first"/> to <paramref name="last"/> inside [<paramref name="minTimestamp"/>,
    /// <paramref name="maxTimestamp"/>] (start == end when none is): what <see cref="SortedTimestamps.Within(ReadOnlySpan{long}, long, long)"/>
    /// gives over the filled timestamps.
    /// </summary>
    public static (int Start, int End) Within(long first, long last, int count, long minTimestamp, long maxTimestamp) =>
        Within(first, last, count, minTimestamp, maxTimestamp, out _);

    /// <summary>
    /// <see cref="Within(long, long, int, long, long)"/>, with the block's <see cref="Step"/> (0 when the range misses
    /// the block), for a caller that then places rows with <see cref="At"/>: a division is most of the work here.
    /// </summary>
    public static (int Start, int End) Within(long first, long last, int count, long minTimestamp, long maxTimestamp, out ulong step)
    {
        step = 0;
        if (count <= 0 || minTimestamp > maxTimestamp || maxTimestamp < first || minTimestamp > last)
        {
            return (0, 0);
        }

        // Differences as unsigned: last − first may exceed long's range, never ulong's; so may any timestamp's offset.
        step = Step(first, last, count);
        if (step == 0)
        {
            return (0, count); // every row at first, which is in the range
        }

        int start = 0;
        if (minTimestamp > first)
        {
            (ulong quotient, ulong remainder) = Math.DivRem(unchecked((ulong)(minTimestamp - first)), step);
            start = (int)Math.Min((ulong)count, quotient + (remainder == 0 ? 0UL : 1UL)); // the first row at or after min
        }

        int end = count;
        if (maxTimestamp < last)
        {
            ulong offset = unchecked((ulong)(maxTimestamp - first));
            end = (int)Math.Min((ulong)count, (offset / step) + 1); // past the last row at or before max
        }

        return (start, Math.Max(start, end));
    }

    /// <summary>The step between the evenly spaced timestamps of a block: (last − first)/(count − 1), 0 for one row.</summary>
    public static ulong Step(long first, long last, int count) => count > 1 ? unchecked((ulong)(last - first)) / (ulong)(count - 1) : 0;

    /// <summary>Row <paramref name="index"/>'s timestamp, first + index·step, as the part reader fills them (without a division).</summary>
    public static long At(long first, ulong step, int index) => unchecked(first + (long)(step * (ulong)index));
}
