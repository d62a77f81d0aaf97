using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Writes;

/// <summary>
/// BanyanDB's rule for write timestamps (<c>pkg/timestamp/nano.go</c> <c>CheckPb</c>): present, within what 64-bit
/// nanoseconds since the Unix epoch can hold (1677-09-21 to 2262-04-11), and in whole milliseconds. Like Go's
/// <c>AsTime</c>, nanos outside [0, 1e9) are carried into the seconds before the checks.
/// </summary>
internal static class WriteTimestamps
{
    private const long NanosPerSecond = 1_000_000_000;
    private const long NanosPerMillisecond = 1_000_000;

    // Seconds whose nanoseconds, plus less than a second, stay within a long: below 9,000,000,000 (the year 2255).
    private const ulong MaxFastSeconds = 9_000_000_000;

    /// <summary>The timestamp as Unix nanoseconds; false with the reason (e.g. "is not in whole milliseconds") otherwise.</summary>
    public static bool TryToUnixNanos(Timestamp? timestamp, out long nanos, out string reason)
    {
        nanos = 0;
        if (timestamp is null)
        {
            reason = "is empty";
            return false;
        }

        return TryToUnixNanos(timestamp.Seconds, timestamp.Nanos, out nanos, out reason);
    }

    /// <summary>As <see cref="TryToUnixNanos(Timestamp?, out long, out string)"/>, for a timestamp's two fields.</summary>
    public static bool TryToUnixNanos(long seconds, int subsecondNanos, out long nanos, out string reason)
    {
        // The common timestamp (1970 to 2255, nanos within the second) in 64 bits, the modulo a constant's: every data
        // point takes this path on the write path.
        if ((ulong)seconds < MaxFastSeconds && (uint)subsecondNanos < NanosPerSecond)
        {
            nanos = (seconds * NanosPerSecond) + subsecondNanos;
            if ((uint)subsecondNanos % (uint)NanosPerMillisecond != 0)
            {
                reason = "is not in whole milliseconds";
                return false;
            }

            reason = string.Empty;
            return true;
        }

        nanos = 0;
        Int128 total = ((Int128)seconds * NanosPerSecond) + subsecondNanos;
        if (total < long.MinValue || total > long.MaxValue)
        {
            reason = $"is out of range {long.MinValue} - {long.MaxValue} ns";
            return false;
        }

        nanos = (long)total;
        if (nanos % NanosPerMillisecond != 0)
        {
            reason = "is not in whole milliseconds";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
