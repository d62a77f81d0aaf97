namespace Banyan.Grains.Shards;

/// <summary>
/// When a shard grain merges all its parts into one, beyond what the size-tiered merge policy picks: once time has
/// moved past the shard's segment (it gets no writes but late ones) and the shard has had no write for
/// <c>Silo:Shard:CompactAfterIdle</c>. The tiered policy leaves a few parts per size tier for good (it merges only
/// when about four similar parts can become one), and every part repeats the per-block costs of every series it holds
/// (block header, column directory, tag values, frame overheads) and is one more list for a query to walk. A segment
/// that is done is rewritten once, into one part; late writes later make it due again after the next quiet period.
/// The current segment is never compacted this way: a pause in its writes would cost a rewrite of all of it. Nor is a
/// shard whose parts together exceed the merge policy's largest output (<see cref="Banyan.Storage.Shards.MergePolicy.MaxOutputBytes"/>,
/// 4 GiB): the tiered merges already keep such a shard in a few large parts, and one rewrite would need that much
/// free disk again.
/// </summary>
internal static class EndedSegmentCompaction
{
    /// <summary>
    /// True when the shard's parts should be merged into one now: compaction is on (<paramref name="compactAfterIdle"/>
    /// positive), <paramref name="now"/> (data clock) is at or past <paramref name="segmentEnd"/>, the last write was
    /// at least <paramref name="compactAfterIdle"/> ago, everything is on disk (the flush timer writes memory parts
    /// first) in more than one part, and those parts' <paramref name="diskBytes"/> stay within
    /// <paramref name="maxOutputBytes"/>.
    /// </summary>
    public static bool IsDue(DateTimeOffset now, DateTimeOffset segmentEnd, TimeSpan sinceLastWrite, TimeSpan compactAfterIdle, int diskParts, long diskBytes, long maxOutputBytes, int memoryParts, long bufferedRows) =>
        compactAfterIdle > TimeSpan.Zero
        && now >= segmentEnd
        && sinceLastWrite >= compactAfterIdle
        && diskParts > 1
        && diskBytes <= maxOutputBytes
        && memoryParts == 0
        && bufferedRows == 0;
}
