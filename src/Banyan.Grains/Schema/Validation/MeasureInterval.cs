using System.Globalization;

namespace Banyan.Grains.Schema.Validation;

/// <summary>
/// Parses a measure's <c>interval</c>: Go's duration syntax (<c>time.ParseDuration</c>: a sequence of decimal
/// numbers with an optional fraction and a unit, <c>ns</c>, <c>us</c>/<c>µs</c>, <c>ms</c>, <c>s</c>, <c>m</c>,
/// <c>h</c>, e.g. <c>1m</c>, <c>1h30m</c>, <c>1.5h</c>) plus BanyanDB's day unit <c>d</c>
/// (<c>pkg/timestamp/duration.go</c>), e.g. <c>1d</c>.
/// </summary>
internal static class MeasureInterval
{
    /// <summary>Parses <paramref name="text"/>; false with a reason when it is not a duration.</summary>
    public static bool TryParse(string text, out TimeSpan interval, out string reason)
    {
        interval = TimeSpan.Zero;
        ReadOnlySpan<char> s = text;
        bool negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            reason = string.Empty;
            return true;
        }

        if (s.Length == 0)
        {
            reason = "is not a duration";
            return false;
        }

        decimal ticks = 0;
        while (s.Length > 0)
        {
            int digits = 0;
            while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !decimal.TryParse(s[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            {
                reason = $"'{text}' is not a duration (expected a number at '{s.ToString()}')";
                return false;
            }

            s = s[digits..];
            int unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }

            decimal? unitTicks = s[..unitLength] switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                "d" => TimeSpan.TicksPerDay,
                _ => null,
            };
            if (unitTicks is not { } perUnit)
            {
                reason = unitLength == 0
                    ? $"'{text}' is not a duration (a unit is missing: ns, us, ms, s, m, h or d)"
                    : $"'{text}' is not a duration (unknown unit '{s[..unitLength].ToString()}'; use ns, us, ms, s, m, h or d)";
                return false;
            }

            if (number > (TimeSpan.MaxValue.Ticks - ticks) / perUnit)
            {
                reason = $"'{text}' is too long a duration";
                return false;
            }

            ticks += number * perUnit;
            s = s[unitLength..];
        }

        interval = TimeSpan.FromTicks((long)decimal.Round(negative ? -ticks : ticks));
        reason = string.Empty;
        return true;
    }
}
