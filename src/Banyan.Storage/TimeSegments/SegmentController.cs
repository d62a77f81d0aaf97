using Banyan.Storage.Durability;
using Banyan.Storage.Rows;

namespace Banyan.Storage.TimeSegments;

/// <summary>
/// The segments of one group under <c>&lt;root&gt;/&lt;group&gt;/</c>: creates the segment for a
/// write's timestamp, creates the next one ahead of time (<see cref="Rotate"/>), and removes
/// expired ones (<see cref="Retain"/>). Every clock reading goes through the
/// <see cref="TimeProvider"/>, so tests drive time.
/// </summary>
/// <remarks>
/// A segment is expired once its end is at or before <c>now − TTL</c>. Expired segments are left
/// out of <see cref="AcquireOverlapping"/> from that instant, before <see cref="Retain"/> deletes
/// them; writes with a timestamp before <c>now − TTL</c> are rejected.
/// </remarks>
/// <typeparam name="TShard">The shard type hosted by the segments.</typeparam>
public sealed class SegmentController<TShard> : IDisposable
    where TShard : class, IDisposable
{
    /// <summary>Fraction of a segment's span after which <see cref="Rotate"/> creates the next segment.</summary>
    public const double RotationPoint = 0.8;

    private readonly object _gate = new();
    private readonly SortedList<DateTimeOffset, Segment<TShard>> _segments = [];
    private readonly GroupOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<string, int, TShard> _openShard;
    private bool _disposed;

    /// <summary>Opens the group folder <paramref name="groupPath"/>, picking up existing segment folders.</summary>
    /// <param name="groupPath">The group's folder, created when missing.</param>
    /// <param name="options">Shard count, segment interval and TTL.</param>
    /// <param name="time">The clock.</param>
    /// <param name="openShard">Opens a shard given its folder and number.</param>
    public SegmentController(string groupPath, GroupOptions options, TimeProvider time, Func<string, int, TShard> openShard)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        GroupPath = groupPath;
        _options = options;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _openShard = openShard ?? throw new ArgumentNullException(nameof(openShard));
        DurableDirectory.Create(groupPath);
        TimeSpan interval = options.SegmentInterval.Duration;
        foreach (string folder in Directory.EnumerateDirectories(groupPath))
        {
            if (SegmentAlignment.TryParseFolderName(Path.GetFileName(folder), out DateTimeOffset start))
            {
                _segments[start] = new Segment<TShard>(folder, start, start + interval, options.ShardNum, openShard);
            }
        }
    }

    /// <summary>The group folder.</summary>
    public string GroupPath { get; }

    /// <summary>The group's settings.</summary>
    public GroupOptions Options => _options;

    /// <summary>Data older than this instant is expired (now − TTL).</summary>
    public DateTimeOffset ExpiryHorizon => _time.GetUtcNow() - _options.Ttl.Duration;

    /// <summary>
    /// The segment holding <paramref name="timestamp"/>, created on first write.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The timestamp is older than now − TTL.</exception>
    public Segment<TShard> SegmentFor(DateTimeOffset timestamp)
    {
        DateTimeOffset horizon = ExpiryHorizon;
        if (timestamp < horizon)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, $"timestamp {timestamp:O} is older than the group's TTL allows (data before {horizon:O} has expired)");
        }

        return GetOrCreate(SegmentAlignment.StartOf(timestamp, _options.SegmentInterval));
    }

    /// <summary>
    /// The segment holding <paramref name="timestamp"/> (created on first write) with a reference
    /// taken, for a write: unlike <see cref="SegmentFor"/>, a <see cref="Retain"/> running at the same
    /// moment cannot close the segment's shards under the write; the segment is closed (and, if it
    /// expired meanwhile, deleted) only after the caller's <see cref="Segment{TShard}.Release"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The timestamp is older than now − TTL.</exception>
    public Segment<TShard> AcquireFor(DateTimeOffset timestamp)
    {
        DateTimeOffset horizon = ExpiryHorizon;
        if (timestamp < horizon)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, $"timestamp {timestamp:O} is older than the group's TTL allows (data before {horizon:O} has expired)");
        }

        DateTimeOffset start = SegmentAlignment.StartOf(timestamp, _options.SegmentInterval);
        lock (_gate)
        {
            // Under the lock the segment still holds the controller's reference (Retain removes it
            // from the list under this lock before releasing), so taking another cannot fail.
            Segment<TShard> segment = GetOrCreate(start);
            if (!segment.TryAcquire())
            {
                throw new InvalidOperationException($"bug: segment {segment.FolderPath} is listed but closed");
            }

            return segment;
        }
    }

    /// <summary>
    /// Splits <paramref name="batch"/> by segment: one batch per segment its rows' timestamps fall in,
    /// ordered by segment start, rows in their original order. A batch within one segment is returned
    /// as it is (no copy), which is the usual case.
    /// </summary>
    public IReadOnlyList<(DateTimeOffset Start, WriteBatch Rows)> SplitBySegment(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        IntervalRule interval = _options.SegmentInterval;
        ReadOnlySpan<long> timestamps = batch.Timestamps;
        if (timestamps.IsEmpty)
        {
            return [];
        }

        long first = SegmentAlignment.StartOfNanos(timestamps[0], interval);
        bool single = true;
        foreach (long timestamp in timestamps)
        {
            if (SegmentAlignment.StartOfNanos(timestamp, interval) != first)
            {
                single = false;
                break;
            }
        }

        if (single)
        {
            return [(SegmentAlignment.FromNanos(first), batch)];
        }

        SortedDictionary<long, List<int>> rowsBySegment = [];
        for (int row = 0; row < timestamps.Length; row++)
        {
            long start = SegmentAlignment.StartOfNanos(timestamps[row], interval);
            if (!rowsBySegment.TryGetValue(start, out List<int>? rows))
            {
                rows = [];
                rowsBySegment.Add(start, rows);
            }

            rows.Add(row);
        }

        List<(DateTimeOffset, WriteBatch)> result = new(rowsBySegment.Count);
        foreach ((long start, List<int> rows) in rowsBySegment)
        {
            result.Add((SegmentAlignment.FromNanos(start), batch.SelectRows(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows))));
        }

        return result;
    }

    /// <summary>
    /// Creates the segment after the current one once the current one is <see cref="RotationPoint"/>
    /// consumed, so the first writes of the next period find it ready. Returns the segment created,
    /// or null when nothing was due.
    /// </summary>
    public Segment<TShard>? Rotate()
    {
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset start = SegmentAlignment.StartOf(now, _options.SegmentInterval);
        TimeSpan interval = _options.SegmentInterval.Duration;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_segments.ContainsKey(start) || now - start < interval * RotationPoint || _segments.ContainsKey(start + interval))
            {
                return null;
            }
        }

        return GetOrCreate(start + interval);
    }

    /// <summary>Removes expired segments; their folders go once no scan holds them. Returns how many were removed.</summary>
    public int Retain()
    {
        DateTimeOffset horizon = ExpiryHorizon;
        List<Segment<TShard>> expired = [];
        lock (_gate)
        {
            while (_segments.Count > 0 && _segments.Values[0].End <= horizon)
            {
                expired.Add(_segments.Values[0]);
                _segments.RemoveAt(0);
            }
        }

        foreach (Segment<TShard> segment in expired)
        {
            segment.MarkForDeletion();
            segment.Release();
        }

        return expired.Count;
    }

    /// <summary>
    /// The unexpired segments overlapping <c>[begin, end)</c>, oldest first, each with a reference
    /// taken; the caller must <see cref="Segment{TShard}.Release"/> every one.
    /// </summary>
    public List<Segment<TShard>> AcquireOverlapping(DateTimeOffset begin, DateTimeOffset end)
    {
        DateTimeOffset horizon = ExpiryHorizon;
        List<Segment<TShard>> result = [];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (Segment<TShard> segment in _segments.Values)
            {
                if (segment.End > horizon && segment.End > begin && segment.Start < end && segment.TryAcquire())
                {
                    result.Add(segment);
                }
            }
        }

        return result;
    }

    /// <summary>The start times of the segments known now, expired ones included (for tests and admin).</summary>
    public IReadOnlyList<DateTimeOffset> SegmentStarts()
    {
        lock (_gate)
        {
            return [.. _segments.Keys];
        }
    }

    /// <summary>Closes every segment (folders stay).</summary>
    public void Dispose()
    {
        List<Segment<TShard>> all;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            all = [.. _segments.Values];
            _segments.Clear();
        }

        foreach (Segment<TShard> segment in all)
        {
            segment.Release();
        }
    }

    private Segment<TShard> GetOrCreate(DateTimeOffset start)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_segments.TryGetValue(start, out Segment<TShard>? existing))
            {
                return existing;
            }

            string path = Path.Combine(GroupPath, SegmentAlignment.FolderName(start));
            DurableDirectory.Create(path);
            Segment<TShard> segment = new(path, start, start + _options.SegmentInterval.Duration, _options.ShardNum, _openShard);
            _segments.Add(start, segment);
            return segment;
        }
    }
}
