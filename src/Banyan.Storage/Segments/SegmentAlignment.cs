using System.Globalization;

namespace Banyan.Storage.Segments;

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
        long ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long size = interval.Duration.Ticks;
        long aligned = ticks >= 0 ? ticks - (ticks % size) : ticks - (((ticks % size) + size) % size);
        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + aligned, TimeSpan.Zero);
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
