using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Banyan.Cli.Time;

/// <summary>
/// <c>--start</c>, <c>--end</c> and <c>--duration</c> of the query and TopN commands: they set the request's
/// <c>timeRange</c>. Given any of them, they replace the file's range; given none, the file's range is kept, and a
/// request without one gets the last 30 minutes (bydbctl's default). With only one end, the other is 30 minutes (or
/// <c>--duration</c>) away; <c>--duration</c> alone ends now.
/// </summary>
public sealed class TimeRangeOptions
{
    /// <summary>The span when only one end is given and no duration: bydbctl's 30 minutes.</summary>
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromMinutes(30);

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public TimeRangeOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Start);
        command.Options.Add(End);
        command.Options.Add(Duration);
    }

    /// <summary><c>--start</c>.</summary>
    public Option<string> Start { get; } = new("--start", "-s")
    {
        Description = "Start of the time range: RFC 3339 (2026-12-02T10:00:00Z), now, or relative to now (-30m, -2h, -1d)",
        HelpName = "time",
    };

    /// <summary><c>--end</c>.</summary>
    public Option<string> End { get; } = new("--end", "-e")
    {
        Description = "End of the time range, like --start (default: now, or --start plus --duration)",
        HelpName = "time",
    };

    /// <summary><c>--duration</c>.</summary>
    public Option<string> Duration { get; } = new("--duration", "-d")
    {
        Description = "Length of the time range (15m, 1h, 7d); with neither --start nor --end, the range ends now",
        HelpName = "duration",
    };

    /// <summary>Sets <c>timeRange</c> of <paramref name="request"/> from the options, as the class summary says.</summary>
    /// <exception cref="CliException">A time or duration that does not parse, or a range that ends before it starts.</exception>
    public void Apply(ParseResult parse, JsonObject request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(request);
        string? startText = parse.GetValue(Start);
        string? endText = parse.GetValue(End);
        string? durationText = parse.GetValue(Duration);
        bool given = startText is not null || endText is not null || durationText is not null;
        bool fileHasRange = request["timeRange"] is not null || request["time_range"] is not null;
        if (!given && fileHasRange)
        {
            return;
        }

        TimeSpan? duration = null;
        if (durationText is not null)
        {
            if (!TimeText.TryParseDuration(durationText, out TimeSpan d) || d <= TimeSpan.Zero)
            {
                throw CliException.Usage($"--duration '{durationText}' is not a positive duration such as 15m, 1h or 7d");
            }

            duration = d;
        }

        DateTimeOffset? start = startText is null ? null : TimeText.ParseTime(startText, now, "--start");
        DateTimeOffset? end = endText is null ? null : TimeText.ParseTime(endText, now, "--end");
        if (start is not null && end is not null && duration is not null)
        {
            throw CliException.Usage("give at most two of --start, --end and --duration");
        }

        TimeSpan span = duration ?? DefaultSpan;
        (DateTimeOffset begin, DateTimeOffset finish) = (start, end) switch
        {
            ({ } s, { } e) => (s, e),
            ({ } s, null) => (s, s + span),
            (null, { } e) => (e - span, e),
            _ => (now - span, now),
        };
        if (finish < begin)
        {
            throw CliException.Usage($"the time range ends ({Format(finish)}) before it starts ({Format(begin)})");
        }

        request.Remove("time_range");
        request["timeRange"] = new JsonObject { ["begin"] = Format(begin), ["end"] = Format(finish) };
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
