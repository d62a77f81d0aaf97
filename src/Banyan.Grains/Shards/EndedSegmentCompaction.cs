namespace Banyan.Grains.Shards;

/// <summary>
/// When a shard grain asks its shard to compact (<see cref="Banyan.Storage.Shards.Shard.CompactAsync"/>: every part
/// into one when all rows are on disk, in several parts, within the merge policy's output limit): once time has moved
/// past the shard's segment (it gets no writes but late ones) and the shard has had no write for
/// <c>Silo:Shard:CompactAfterIdle</c>. A segment that is done is rewritten once, into one part; late writes later make
/// it due again after the next quiet period. The current segment is never compacted this way: a pause in its writes
/// would cost a rewrite of all of it.
/// </summary>
internal static class EndedSegmentCompaction
{
    /// <summary>
    /// True when the shard should compact now: compaction is on (<paramref name="compactAfterIdle"/> positive),
    /// <paramref name="now"/> (data clock) is at or past <paramref name="segmentEnd"/>, and the last write was at least
    /// <paramref name="compactAfterIdle"/> ago.
    /// </summary>
    public static bool IsDue(DateTimeOffset now, DateTimeOffset segmentEnd, TimeSpan sinceLastWrite, TimeSpan compactAfterIdle) =>
        compactAfterIdle > TimeSpan.Zero
        && now >= segmentEnd
        && sinceLastWrite >= compactAfterIdle;
}
