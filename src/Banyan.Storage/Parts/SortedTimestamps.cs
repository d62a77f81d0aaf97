namespace Banyan.Storage.Parts;

/// <summary>
/// Binary searches over a block's ascending timestamps (repeats allowed: a stream keeps several rows at one instant),
/// for the readers that cut a block to a time range.
/// </summary>
internal static class SortedTimestamps
{
    /// <summary>The index of the first timestamp at or after <paramref name="timestamp"/> (the length when none is).</summary>
    public static int LowerBound(ReadOnlySpan<long> timestamps, long timestamp)
    {
        int lo = 0;
        int hi = timestamps.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (timestamps[mid] < timestamp)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The index of the first timestamp after <paramref name="timestamp"/> (the length when none is).</summary>
    public static int UpperBound(ReadOnlySpan<long> timestamps, long timestamp)
    {
        int lo = 0;
        int hi = timestamps.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (timestamps[mid] <= timestamp)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
