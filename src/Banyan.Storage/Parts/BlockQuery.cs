namespace Banyan.Storage.Parts;

/// <summary>Which blocks to find: some series (or all) overlapping a closed time range.</summary>
public sealed class BlockQuery
{
    /// <summary>Every block of every series.</summary>
    public static BlockQuery All { get; } = new(null, long.MinValue, long.MaxValue);

    /// <summary>Creates a query.</summary>
    /// <param name="seriesIds">Series to find, ascending without duplicates; null for all series.</param>
    /// <param name="minTimestamp">Inclusive lower bound, nanoseconds.</param>
    /// <param name="maxTimestamp">Inclusive upper bound, nanoseconds.</param>
    public BlockQuery(ulong[]? seriesIds, long minTimestamp, long maxTimestamp)
    {
        if (minTimestamp > maxTimestamp)
        {
            throw new ArgumentException($"time range is empty: min {minTimestamp} > max {maxTimestamp}", nameof(minTimestamp));
        }

        if (seriesIds is not null)
        {
            for (int i = 1; i < seriesIds.Length; i++)
            {
                if (seriesIds[i] <= seriesIds[i - 1])
                {
                    throw new ArgumentException("series ids must be ascending without duplicates", nameof(seriesIds));
                }
            }
        }

        SeriesIds = seriesIds;
        MinTimestamp = minTimestamp;
        MaxTimestamp = maxTimestamp;
    }

    /// <summary>Series to find, ascending; null for all.</summary>
    public IReadOnlyList<ulong>? SeriesIds { get; }

    /// <summary>Inclusive lower time bound.</summary>
    public long MinTimestamp { get; }

    /// <summary>Inclusive upper time bound.</summary>
    public long MaxTimestamp { get; }

    /// <summary>True when the block's time range overlaps the query's.</summary>
    public bool OverlapsTime(long min, long max) => min <= MaxTimestamp && max >= MinTimestamp;

    /// <summary>True when the query selects <paramref name="seriesId"/>.</summary>
    public bool IncludesSeries(ulong seriesId)
    {
        if (SeriesIds is null)
        {
            return true;
        }

        int lo = 0, hi = SeriesIds.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong value = SeriesIds[mid];
            if (value == seriesId)
            {
                return true;
            }

            if (value < seriesId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return false;
    }

    /// <summary>True when some queried series lies in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    public bool IncludesSeriesRange(ulong first, ulong last)
    {
        if (SeriesIds is null)
        {
            return true;
        }

        int lo = 0, hi = SeriesIds.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (SeriesIds[mid] < first)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < SeriesIds.Count && SeriesIds[lo] <= last;
    }
}
