using System.Globalization;
using System.Text.RegularExpressions;

namespace Banyan.Cli.Time;

/// <summary>
/// Times and durations on the command line, as bydbctl reads them: an absolute time in RFC 3339
/// (<c>2026-12-02T10:00:00Z</c>), <c>now</c>, or a time relative to now (<c>-30m</c>, <c>-1h30m</c>, <c>2d</c>); a
/// duration as <c>90s</c>, <c>15m</c>, <c>1h30m</c>, <c>7d</c>, <c>1w</c> (units ms, s, m, h, d, w).
/// </summary>
public static partial class TimeText
{
    /// <summary>Parses a time (<paramref name="option"/> names it in the error).</summary>
    /// <exception cref="CliException">Neither an RFC 3339 time nor a relative one.</exception>
    public static DateTimeOffset ParseTime(string text, DateTimeOffset now, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "now")
        {
            return now;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset absolute)
            && text.Contains('T', StringComparison.Ordinal))
        {
            return absolute;
        }

        if (TryParseDuration(text, out TimeSpan offset))
        {
            return now + offset;
        }

        throw CliException.Usage($"{option} '{text}' is neither an RFC 3339 time (2026-12-02T10:00:00Z) nor a time relative to now (-30m, -2h, -1d)");
    }

    /// <summary>Parses a duration such as <c>1h30m</c> (a leading <c>-</c> makes it negative).</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = TimeSpan.Zero;
        Match match = Duration().Match(text);
        if (!match.Success)
        {
            return false;
        }

        double total = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            Match piece = Part().Match(part.Value);
            double n = double.Parse(piece.Groups["n"].Value, CultureInfo.InvariantCulture);
            total += n * piece.Groups["unit"].Value switch
            {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => 604_800_000, // w
            };
        }

        duration = TimeSpan.FromMilliseconds(match.Groups["sign"].Value == "-" ? -total : total);
        return true;
    }

    [GeneratedRegex(@"^(?<sign>[-+]?)(?<part>[0-9]+(\.[0-9]+)?(ms|s|m|h|d|w))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]+)?)(?<unit>ms|s|m|h|d|w)$", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
