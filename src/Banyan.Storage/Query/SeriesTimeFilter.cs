namespace Banyan.Storage.Query;

/// <summary>
/// A series and time filter: some series (or all) and a closed time range. Parts use it to find the
/// blocks a read needs (block headers carry the series and time range), scans to bound their rows.
/// </summary>
public sealed class SeriesTimeFilter
{
    /// <summary>Every block of every series.</summary>
    public static SeriesTimeFilter All { get; } = new(null, long.MinValue, long.MaxValue);

    /// <summary>Creates a filter.</summary>
    /// <param name="seriesIds">Series to find, ascending without duplicates; null for all series.</param>
    /// <param name="minTimestamp">Inclusive lower bound, nanoseconds.</param>
    /// <param name="maxTimestamp">Inclusive upper bound, nanoseconds.</param>
    public SeriesTimeFilter(ulong[]? seriesIds, long minTimestamp, long maxTimestamp)
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

        _ids = seriesIds;
        SeriesIds = seriesIds;
        MinTimestamp = minTimestamp;
        MaxTimestamp = maxTimestamp;
    }

    // The same array as SeriesIds: searched as a span, without the interface's dispatch per element.
    private readonly ulong[]? _ids;

    /// <summary>Series to find, ascending; null for all.</summary>
    public IReadOnlyList<ulong>? SeriesIds { get; }

    /// <summary>Inclusive lower time bound.</summary>
    public long MinTimestamp { get; }

    /// <summary>Inclusive upper time bound.</summary>
    public long MaxTimestamp { get; }

    /// <summary>True when [<paramref name="min"/>, <paramref name="max"/>] overlaps the filter's time range.</summary>
    public bool OverlapsTime(long min, long max) => min <= MaxTimestamp && max >= MinTimestamp;

    /// <summary>True when the filter selects <paramref name="seriesId"/>.</summary>
    public bool IncludesSeries(ulong seriesId) => _ids is null || _ids.AsSpan().BinarySearch(seriesId) >= 0;

    /// <summary>The selected series, ascending (empty when the filter selects all: ask <see cref="SeriesIds"/> first).</summary>
    internal ReadOnlySpan<ulong> SeriesIdSpan => _ids;

    /// <summary>True when some selected series lies in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    public bool IncludesSeriesRange(ulong first, ulong last)
    {
        if (_ids is null)
        {
            return true;
        }

        int lo = LowerBound(_ids, first);
        return lo < _ids.Length && _ids[lo] <= last;
    }

    /// <summary>The index of the first of <paramref name="ids"/> (ascending) not below <paramref name="seriesId"/> (its length when none).</summary>
    internal static int LowerBound(ReadOnlySpan<ulong> ids, ulong seriesId)
    {
        int index = ids.BinarySearch(seriesId);
        return index >= 0 ? index : ~index;
    }
}
