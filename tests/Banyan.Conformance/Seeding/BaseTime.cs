using Google.Protobuf.WellKnownTypes;

namespace Banyan.Conformance.Seeding;

/// <summary>
/// The base time B every write and query window is relative to: the wall-clock time when seeding starts, truncated
/// down to a whole minute, in ms precision (fixtures README, "Writing data and the timestamp rule"; upstream passes
/// <c>now</c> to <c>test/cases/init.go</c> <c>Initialize</c>).
/// </summary>
public readonly record struct BaseTime
{
    private const long MillisPerMinute = 60_000;

    /// <summary>Creates a base time from epoch milliseconds (any value; see <see cref="FromClock"/> for the rule).</summary>
    public BaseTime(long epochMillis) => EpochMillis = epochMillis;

    /// <summary>B as milliseconds since the Unix epoch.</summary>
    public long EpochMillis { get; }

    /// <summary>B from <paramref name="clock"/>'s current UTC time, truncated down to the minute.</summary>
    public static BaseTime FromClock(TimeProvider clock)
    {
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return new BaseTime(now - Mod(now, MillisPerMinute));
    }

    /// <summary>The timestamp <c>B + offsetMillis</c>.</summary>
    public Timestamp At(long offsetMillis) => FromEpochMillis(EpochMillis + offsetMillis);

    /// <summary>A protobuf timestamp for epoch milliseconds, negative values included (nanos stay in [0, 1e9)).</summary>
    public static Timestamp FromEpochMillis(long epochMillis) => new()
    {
        Seconds = Math.DivRem(epochMillis - Mod(epochMillis, 1000), 1000).Quotient,
        Nanos = (int)(Mod(epochMillis, 1000) * 1_000_000),
    };

    /// <summary>Milliseconds since the epoch of a protobuf timestamp (sub-millisecond nanos are dropped).</summary>
    public static long ToEpochMillis(Timestamp timestamp)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        return checked((timestamp.Seconds * 1000) + (timestamp.Nanos / 1_000_000));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{DateTimeOffset.FromUnixTimeMilliseconds(EpochMillis):yyyy-MM-ddTHH:mm:ss.fffZ} ({EpochMillis} ms)";

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;
}
