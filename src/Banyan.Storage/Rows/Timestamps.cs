namespace Banyan.Storage.Rows;

/// <summary>
/// Engine timestamps are nanoseconds since the Unix epoch (i64). Users may give milliseconds;
/// these helpers convert with overflow checks.
/// </summary>
public static class Timestamps
{
    /// <summary>Nanoseconds per millisecond.</summary>
    public const long NanosPerMillisecond = 1_000_000;

    /// <summary>Converts Unix milliseconds to engine nanoseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The instant is outside the years ~1677–2262 that i64 nanoseconds cover.</exception>
    public static long FromUnixMilliseconds(long milliseconds)
    {
        if (milliseconds > long.MaxValue / NanosPerMillisecond || milliseconds < long.MinValue / NanosPerMillisecond)
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "timestamp does not fit in 64-bit nanoseconds");
        }

        return milliseconds * NanosPerMillisecond;
    }

    /// <summary>Converts engine nanoseconds to Unix milliseconds (rounding toward negative infinity).</summary>
    public static long ToUnixMilliseconds(long nanoseconds) => Math.DivRem(nanoseconds, NanosPerMillisecond) switch
    {
        (long q, long r) when r < 0 => q - 1,
        (long q, _) => q,
    };
}
