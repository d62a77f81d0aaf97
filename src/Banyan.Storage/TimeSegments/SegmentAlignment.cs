using System.Globalization;

namespace Banyan.Storage.TimeSegments;

/// <summary>
/// Where segment boundaries fall. A segment of interval <c>I</c> starts at a multiple of
/// <c>I</c> counted from the Unix epoch (1970-01-01T00:00Z), in UTC, so every node computes the
/// same boundaries without coordination and no time zone or daylight-saving rule shifts them.
/// With 1-day intervals segments start at 00:00 UTC.
/// </summary>
public static class SegmentAlignment
{
    /// <summary>The folder name prefix of segments.</summary>
    public const string FolderPrefix = "seg-";

    private const string FolderTimeFormat = "yyyyMMddHH";

    /// <summary>The start of the segment holding <paramref name="timestamp"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset timestamp, IntervalRule interval)
    {
        long aligned = FloorToMultiple(timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, interval.Duration.Ticks);
        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + aligned, TimeSpan.Zero);
    }

    /// <summary>
    /// The start, in nanoseconds since the Unix epoch, of the segment holding <paramref name="unixNanos"/>
    /// (a row timestamp): the same boundaries as <see cref="StartOf"/>, without a conversion per row.
    /// </summary>
    public static long StartOfNanos(long unixNanos, IntervalRule interval) => FloorToMultiple(unixNanos, interval.Duration.Ticks * 100);

    /// <summary>A start from <see cref="StartOfNanos"/> as a time (segment starts are whole ticks).</summary>
    public static DateTimeOffset FromNanos(long unixNanos) => DateTimeOffset.UnixEpoch.AddTicks(unixNanos / 100);

    // Rounds down, also below zero (before 1970).
    private static long FloorToMultiple(long value, long size)
    {
        long remainder = value % size;
        return value - (remainder < 0 ? remainder + size : remainder);
    }

    /// <summary>The folder name of the segment starting at <paramref name="start"/>: <c>seg-yyyyMMddHH</c> in UTC.</summary>
    public static string FolderName(DateTimeOffset start)
        => FolderPrefix + start.UtcDateTime.ToString(FolderTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses a segment folder name back to its start; false for anything else.</summary>
    public static bool TryParseFolderName(string name, out DateTimeOffset start)
    {
        start = default;
        if (!name.StartsWith(FolderPrefix, StringComparison.Ordinal)
            || !DateTime.TryParseExact(name.AsSpan(FolderPrefix.Length), FolderTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime parsed))
        {
            return false;
        }

        start = new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
        return true;
    }
}
