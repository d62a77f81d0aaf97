using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.TimeSegments;

namespace Banyan.Storage.Shards;

/// <summary>The scan API queries use: rows of a time range over every unexpired segment and shard of a group.</summary>
public static class GroupScanner
{
    /// <summary>
    /// Rows with timestamps in <c>[minTimestamp, maxTimestamp]</c> (nanoseconds since the Unix
    /// epoch, inclusive) of the given series (ascending; null for all), in (series, timestamp) order,
    /// from every segment overlapping the range that has not expired, projected to
    /// <paramref name="projection"/>. The scan sees each shard as of the moment it was opened (a
    /// snapshot) and holds its segments and parts until disposed.
    /// </summary>
    public static ShardScan Scan(SegmentController<Shard> segments, DataKind kind, long minTimestamp, long maxTimestamp, ulong[]? seriesIds, ColumnProjection projection)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(projection);
        SeriesTimeFilter query = new(seriesIds, minTimestamp, maxTimestamp);
        DateTimeOffset begin = ToTime(minTimestamp);
        DateTimeOffset end = ToTime(maxTimestamp).AddTicks(1);
        List<Segment<Shard>> held = segments.AcquireOverlapping(begin, end);
        List<ShardReadView> views = [];
        try
        {
            foreach (Segment<Shard> segment in held)
            {
                for (int n = 0; n < segment.ShardCount; n++)
                {
                    Shard? shard = segment.OpenedShard(n);
                    if (shard is null && Directory.Exists(segment.ShardPath(n)))
                    {
                        shard = segment.Shard(n); // written before a restart: open it to read
                    }

                    if (shard is not null)
                    {
                        views.Add(shard.AcquireView());
                    }
                }
            }

            var parts = new List<Parts.IPartReader>();
            foreach (ShardReadView view in views)
            {
                parts.AddRange(view.PartsFor(query, null, null));
            }

            return new ShardScan([.. views], parts, kind, query, projection, () =>
            {
                foreach (Segment<Shard> segment in held)
                {
                    segment.Release();
                }
            });
        }
        catch
        {
            foreach (ShardReadView view in views)
            {
                view.Dispose();
            }

            foreach (Segment<Shard> segment in held)
            {
                segment.Release();
            }

            throw;
        }
    }

    private static DateTimeOffset ToTime(long nanoseconds)
    {
        long ticks = nanoseconds / 100;
        long min = DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long max = DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - 1;
        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + Math.Clamp(ticks, min, max), TimeSpan.Zero);
    }
}
