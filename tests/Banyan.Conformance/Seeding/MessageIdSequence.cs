namespace Banyan.Conformance.Seeding;

/// <summary>
/// Message ids for write requests: strictly increasing and &gt; 0. Upstream sends <c>time.Now().UnixNano()</c> per
/// request (<c>test/cases/*/data/data.go</c>), and its liaison uses the message id as the data point version when
/// the point carries none (<c>banyand/liaison/grpc/measure.go</c>), so later writes must get larger ids: the default
/// sequence starts at the current Unix time in ns and counts up by one.
/// </summary>
public sealed class MessageIdSequence
{
    private ulong _next;

    /// <summary>A sequence whose first id is <paramref name="first"/> (must be &gt; 0).</summary>
    public MessageIdSequence(ulong first)
    {
        ArgumentOutOfRangeException.ThrowIfZero(first);
        _next = first;
    }

    /// <summary>A sequence starting at <paramref name="clock"/>'s current Unix time in nanoseconds.</summary>
    public static MessageIdSequence FromClock(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return new MessageIdSequence((ulong)(clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100);
    }

    /// <summary>The next id.</summary>
    public ulong Next() => Interlocked.Increment(ref _next) - 1;
}
