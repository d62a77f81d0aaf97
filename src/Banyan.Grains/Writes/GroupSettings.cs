using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.Storage.TimeSegments;
using ProtoIntervalRule = Banyan.Api.Common.V1.IntervalRule;

namespace Banyan.Grains.Writes;

/// <summary>What the write path and the segment lifecycle need of a stream or measure group's <c>resource_opts</c>.</summary>
/// <param name="ShardNum">Shards per segment (at least 1).</param>
/// <param name="SegmentInterval">Length of one segment.</param>
/// <param name="Ttl">How long data is kept: a segment expires once its end is at or before now − TTL.</param>
/// <param name="CreateRevision">The group's <c>create_revision</c>: a group deleted and created again under the same name has another.</param>
internal sealed record GroupSettings(int ShardNum, Banyan.Storage.TimeSegments.IntervalRule SegmentInterval, Banyan.Storage.TimeSegments.IntervalRule Ttl, long CreateRevision)
{
    /// <summary>The length of one segment in nanoseconds.</summary>
    public long SegmentNanos => SegmentInterval.Duration.Ticks * 100;

    /// <summary>The TTL in nanoseconds.</summary>
    public long TtlNanos => Ttl.Duration.Ticks * 100;

    /// <summary>The settings of <paramref name="group"/>; false for a group without stream/measure resource options.</summary>
    public static bool TryFrom(Group group, [NotNullWhen(true)] out GroupSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(group);
        settings = null;
        if (group.Catalog is not (Catalog.Stream or Catalog.Measure)
            || group.ResourceOpts is not { ShardNum: > 0 } options
            || !TryRule(options.SegmentInterval, out Banyan.Storage.TimeSegments.IntervalRule interval)
            || !TryRule(options.Ttl, out Banyan.Storage.TimeSegments.IntervalRule ttl))
        {
            return false;
        }

        settings = new GroupSettings((int)Math.Min(options.ShardNum, int.MaxValue), interval, ttl, group.Metadata?.CreateRevision ?? 0);
        return true;
    }

    /// <summary>The start (ns) of the segment holding <paramref name="timestamp"/> (ns).</summary>
    public long SegmentStartOf(long timestamp) => SegmentAlignment.StartOfNanos(timestamp, SegmentInterval);

    /// <summary>
    /// True when the segment starting at <paramref name="segmentStart"/> (ns) has expired at <paramref name="now"/>:
    /// its end is at or before now − TTL.
    /// </summary>
    public bool IsExpired(long segmentStart, DateTimeOffset now)
    {
        long end = segmentStart > long.MaxValue - SegmentNanos ? long.MaxValue : segmentStart + SegmentNanos;
        long horizon = SegmentInfo.UnixNanos(now) - TtlNanos;
        return end <= horizon;
    }

    /// <summary>
    /// The segments of <paramref name="segments"/> a query of [<paramref name="begin"/>, <paramref name="end"/>] (ns,
    /// inclusive) reads at <paramref name="now"/>: those overlapping the range and not expired, in their order. The
    /// group grain's answer and the query path's kept listing both apply this rule.
    /// </summary>
    public ImmutableArray<SegmentInfo> Readable(IEnumerable<SegmentInfo> segments, DateTimeOffset now, long begin, long end) =>
        [.. segments.Where(s => !IsExpired(s.StartNanos, now) && s.Overlaps(begin, end))];

    private static bool TryRule(ProtoIntervalRule? rule, out Banyan.Storage.TimeSegments.IntervalRule result)
    {
        result = default;
        if (rule is null || rule.Num == 0 || rule.Num > int.MaxValue)
        {
            return false;
        }

        IntervalUnit? unit = rule.Unit switch
        {
            ProtoIntervalRule.Types.Unit.Hour => IntervalUnit.Hour,
            ProtoIntervalRule.Types.Unit.Day => IntervalUnit.Day,
            _ => null,
        };
        if (unit is null)
        {
            return false;
        }

        result = new Banyan.Storage.TimeSegments.IntervalRule(unit.Value, (int)rule.Num);
        return true;
    }
}
