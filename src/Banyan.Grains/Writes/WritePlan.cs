using System.Collections.Immutable;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Writes.Wire;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Grains.Writes;

/// <summary>
/// The statuses of a write batch being decided, element by element, and the rows of the valid elements grouped by
/// (segment, shard). Elements start as <see cref="WriteStatus.Succeed"/>; a refusal or a failed shard write changes that.
/// </summary>
internal sealed class WritePlan
{
    private readonly WriteStatus[] _statuses;
    private readonly SortedDictionary<int, (string Reason, bool Retryable)> _refusals = [];
    private GroupSettings? _segmentGroup;
    private DateTimeOffset _segmentNow;
    private long _segmentStart;
    private long _segmentEnd; // exclusive; 0 with _segmentStart 0: nothing remembered yet
    private bool _segmentExpired;

    /// <summary>A plan for <paramref name="count"/> elements spread over <paramref name="shardNum"/> shards.</summary>
    public WritePlan(int count, SubjectLayout? layout, int shardNum)
    {
        _statuses = new WriteStatus[count];
        Array.Fill(_statuses, WriteStatus.Succeed);
        SubBatches = layout is null ? null : new SubBatchSet(layout, RowsPerSubBatch(count, shardNum));
    }

    /// <summary>
    /// The rows a (segment, shard) sub-batch is sized for at its start, so it does not double its way up from 16 rows:
    /// what one shard receives when the elements spread over the shards of one segment. Series hash to shards at
    /// random, so a shard's share varies around <c>count / shardNum</c> by about its binomial standard deviation; sized
    /// for the mean alone, one of two shards' sub-batches outgrew it in about every other batch and doubled all its
    /// arrays (up to twice the memory the shard then buffers). Three deviations more, it outgrows it about once in a
    /// thousand batches.
    /// </summary>
    internal static int RowsPerSubBatch(int count, int shardNum)
    {
        if (shardNum <= 1 || count <= 1)
        {
            return Math.Max(1, count);
        }

        double share = 1.0 / shardNum;
        double mean = count * share;
        double deviation = Math.Sqrt(count * share * (1 - share));
        return (int)Math.Min(count, Math.Ceiling(mean + (3 * deviation)) + 8);
    }

    /// <summary>The rows to write; null when no schema applies (every element is refused).</summary>
    public SubBatchSet? SubBatches { get; }

    /// <summary>Elements answered <see cref="WriteStatus.Succeed"/> but not stored: their segment is older than the TTL.</summary>
    public int Expired { get; private set; }

    /// <summary>
    /// Gives element <paramref name="element"/> status <paramref name="status"/> for <paramref name="reason"/>;
    /// <paramref name="retryable"/> when a transient failure, not the element, kept it from being stored.
    /// </summary>
    public void Refuse(int element, WriteStatus status, string reason, bool retryable = false)
    {
        _statuses[element] = status;
        _refusals[element] = (reason, retryable);
    }

    /// <summary>Counts one element as accepted but dropped because its segment expired (it keeps <see cref="WriteStatus.Succeed"/>).</summary>
    public void DropExpired() => Expired++;

    /// <summary>
    /// Places a valid element: computes its series id (subject + entity values), its shard (sharding key or entity, as
    /// BanyanDB routes) and its segment; drops it when the segment has expired, otherwise adds its row.
    /// </summary>
    public void Place(SubjectLayout layout, GroupSettings group, DateTimeOffset now, int element, ColumnValue[] row, long timestamp, long versionOrElementId)
    {
        (long segment, bool expired) = SegmentOf(group, now, timestamp);
        if (expired)
        {
            DropExpired();
            return;
        }

        (ulong seriesId, ulong routing) = layout.SeriesIds.Resolve(row);
        int shard = (int)(routing % (uint)group.ShardNum);
        SubBatches!.Add(segment, shard, seriesId, timestamp, versionOrElementId, row, element);
    }

    /// <summary>
    /// As <see cref="Place(SubjectLayout, GroupSettings, DateTimeOffset, int, ColumnValue[], long, long)"/>, for a
    /// measure data point decoded from its wire bytes <paramref name="point"/>. False, with nothing placed, when its
    /// entity is new and not valid UTF-8 (<see cref="SeriesIdCache.Resolve(WireRow, ReadOnlySpan{byte})"/>): the caller
    /// then decides the element the general way, as it does any element the wire decoder does not take. The series is
    /// resolved before the segment's expiry is judged so that such an element gets the general path's answer whatever
    /// its age.
    /// </summary>
    public bool TryPlace(SubjectLayout layout, GroupSettings group, DateTimeOffset now, int element, WireRow row, ReadOnlySpan<byte> point, long version)
    {
        SeriesIdCache cache = layout.SeriesIds;
        if (cache.Resolve(row, point) is not { } series)
        {
            return false;
        }

        // The series' families recorded from its first point decoded field by field, for its next points.
        series.Families ??= WireTagFamilies.Of(layout, row, point);

        (long segment, bool expired) = SegmentOf(group, now, row.Timestamp);
        if (expired)
        {
            DropExpired();
            return true;
        }

        int shard = (int)(series.RoutingHash % (uint)group.ShardNum);
        SubBatches!.Add(segment, shard, series, cache.Arena, row.Timestamp, version, row, point, element);
        return true;
    }

    // The segment of a timestamp and whether it has expired, remembered for the last segment met: a batch's elements
    // almost all fall in one segment, and finding it takes a 64-bit division (1-2 % of a running silo's write phase).
    private (long Start, bool Expired) SegmentOf(GroupSettings group, DateTimeOffset now, long timestamp)
    {
        if (timestamp >= _segmentStart && timestamp < _segmentEnd && ReferenceEquals(group, _segmentGroup) && now == _segmentNow)
        {
            return (_segmentStart, _segmentExpired);
        }

        long start = group.SegmentStartOf(timestamp);
        _segmentGroup = group;
        _segmentNow = now;
        _segmentStart = start;
        _segmentEnd = start > long.MaxValue - group.SegmentNanos ? long.MaxValue : start + group.SegmentNanos;
        _segmentExpired = group.IsExpired(start, now);
        return (start, _segmentExpired);
    }

    /// <summary>The outcome: statuses in element order and the refusals with their reasons.</summary>
    public WriteOutcome ToOutcome() =>
        new([.. _statuses], [.. _refusals.Select(r => new ElementRefusal(r.Key, r.Value.Reason, r.Value.Retryable))], Expired);

    /// <summary>The status of element <paramref name="element"/> so far.</summary>
    public WriteStatus StatusOf(int element) => _statuses[element];

    /// <summary>The refusals so far (for logs).</summary>
    public ImmutableArray<ElementRefusal> Refusals => [.. _refusals.Select(r => new ElementRefusal(r.Key, r.Value.Reason, r.Value.Retryable))];
}
