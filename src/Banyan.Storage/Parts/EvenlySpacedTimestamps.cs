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
    public static (int Start, int End) Within(long first, long last, int count, long minTimestamp, long maxTimestamp)
    {
        if (count <= 0 || minTimestamp > maxTimestamp || maxTimestamp < first || minTimestamp > last)
        {
            return (0, 0);
        }

        // Differences as unsigned: last − first may exceed long's range, never ulong's; so may any timestamp's offset.
        ulong step = count > 1 ? unchecked((ulong)(last - first)) / (ulong)(count - 1) : 0;
        if (step == 0)
        {
            return (0, count); // every row at first, which is in the range
        }

        int start = 0;
        if (minTimestamp > first)
        {
            ulong offset = unchecked((ulong)(minTimestamp - first));
            start = (int)Math.Min((ulong)count, (offset / step) + (offset % step == 0 ? 0UL : 1UL)); // the first row at or after min
        }

        int end = count;
        if (maxTimestamp < last)
        {
            ulong offset = unchecked((ulong)(maxTimestamp - first));
            end = (int)Math.Min((ulong)count, (offset / step) + 1); // past the last row at or before max
        }

        return (start, Math.Max(start, end));
    }
}
