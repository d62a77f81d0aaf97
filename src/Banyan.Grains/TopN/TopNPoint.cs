using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// One data point of the source measure as a TopN processor takes it. A struct of parts rather than a
/// <see cref="TopNItem"/>: a list keeps a point only when it ranks, and then in an entry it reuses, so feeding points
/// allocates nothing per point.
/// </summary>
/// <param name="Timestamp">The point's timestamp, ns since the Unix epoch.</param>
/// <param name="GroupKey">The point's group-by values joined as BanyanDB joins them (<see cref="TopNGroupKey"/>).</param>
/// <param name="SeriesId">The source series id.</param>
/// <param name="Value">The ranked field's value.</param>
/// <param name="Entity">The source series' entity values, in <c>entity.tag_names</c> order (shared, never changed).</param>
/// <param name="EntityBytes">The entity as a persisted list stores it (<see cref="TopNResultCodec.WriteEntity"/>), when known (shared, never changed).</param>
/// <param name="Ordinal">The series' place among those of its group-by value, when the write path's series tags give it.</param>
internal readonly record struct TopNPoint(long Timestamp, string GroupKey, ulong SeriesId, TopNRank Value, TagValue[] Entity, byte[]? EntityBytes = null, TopNSeriesOrdinal Ordinal = default);
