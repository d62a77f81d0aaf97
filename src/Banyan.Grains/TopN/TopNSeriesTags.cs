using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// The group-by key and entity values of each series a TopN aggregation has seen, by series id: when every group-by
/// tag is an entity tag, both follow from the series (its id is the hash of its entity values), so a point of a known
/// series reuses them instead of decoding its tags again. The same series arrive with every scrape, so on a measure
/// with an aggregation this was most of what TopN allocated per written point.
/// </summary>
/// <remarks>Owned by one shard grain's <see cref="ShardTopN"/> (single-threaded). Bounded: when full it starts over.</remarks>
internal sealed class TopNSeriesTags
{
    /// <summary>Series remembered per aggregation before the cache starts over.</summary>
    public const int MaxSeries = 65_536;

    private readonly Dictionary<ulong, (string GroupKey, TagValue[] Entity, byte[] EntityBytes, int Ordinal)> _bySeries = [];

    // Series seen per group-by value: the next one's place (TopNSeriesOrdinal), counted in _space.
    private readonly Dictionary<string, int> _groupSizes = new(StringComparer.Ordinal);
    private object _space = new();

    private TopNSeriesTags()
    {
    }

    /// <summary>
    /// A cache for <paramref name="definition"/>, or null when its group-by key does not follow from the series (a
    /// group-by tag that is not an entity tag, or an entity tag the measure lacks): then every point is read in full.
    /// </summary>
    public static TopNSeriesTags? For(TopNDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        bool groupByIsEntity = definition.GroupBy.All(g => definition.Entity.Contains(g));
        return groupByIsEntity ? new TopNSeriesTags() : null;
    }

    /// <summary>
    /// The entities remembered, ranked in byte order for a flush's encoding (<see cref="TopNResultCodec.Encode"/>). Replaced
    /// when the cache starts over: lists still holding entities of before are encoded by comparing bytes.
    /// </summary>
    public TopNEntityOrder Order { get; private set; } = new();

    /// <summary>How many series are remembered.</summary>
    public int Count => _bySeries.Count;

    /// <summary>
    /// The remembered key, entity values and entity bytes (as a persisted list stores them, <see cref="TopNResultCodec.WriteEntity"/>)
    /// of <paramref name="seriesId"/>, if any.
    /// </summary>
    public bool TryGet(ulong seriesId, out string groupKey, out TagValue[] entity, out byte[] entityBytes) =>
        TryGet(seriesId, out groupKey, out entity, out entityBytes, out _);

    /// <summary>As <see cref="TryGet(ulong, out string, out TagValue[], out byte[])"/>, with the series' place among those of its group-by value.</summary>
    public bool TryGet(ulong seriesId, out string groupKey, out TagValue[] entity, out byte[] entityBytes, out TopNSeriesOrdinal ordinal)
    {
        if (_bySeries.TryGetValue(seriesId, out (string GroupKey, TagValue[] Entity, byte[] EntityBytes, int Ordinal) known))
        {
            (groupKey, entity, entityBytes, int place) = known;
            ordinal = new TopNSeriesOrdinal(_space, place);
            return true;
        }

        groupKey = string.Empty;
        entity = [];
        entityBytes = [];
        ordinal = default;
        return false;
    }

    /// <summary>
    /// Remembers the key and entity values of <paramref name="seriesId"/> (the entity array is shared, never changed), and
    /// returns the entity's bytes as a persisted list stores them, encoded here once per series instead of once per item of
    /// every list a flush writes (that encoding was a third of a flush).
    /// </summary>
    public byte[] Add(ulong seriesId, string groupKey, TagValue[] entity) => Add(seriesId, groupKey, entity, out _);

    /// <summary>As <see cref="Add(ulong, string, TagValue[])"/>, giving the series its place among those of its group-by value.</summary>
    public byte[] Add(ulong seriesId, string groupKey, TagValue[] entity, out TopNSeriesOrdinal ordinal)
    {
        ArgumentNullException.ThrowIfNull(groupKey);
        if (_bySeries.TryGetValue(seriesId, out (string GroupKey, TagValue[] Entity, byte[] EntityBytes, int Ordinal) known)
            && string.Equals(known.GroupKey, groupKey, StringComparison.Ordinal))
        {
            // Known already (a caller that did not ask first): it keeps its place, so lists holding it still find it.
            ordinal = new TopNSeriesOrdinal(_space, known.Ordinal);
            return known.EntityBytes;
        }

        if (_bySeries.Count >= MaxSeries)
        {
            // Starting over: places are counted again in a new space (lists holding places of the old one stop using
            // them), and entities ranked again.
            _bySeries.Clear();
            _groupSizes.Clear();
            _space = new object();
            Order = new TopNEntityOrder();
        }

        byte[] entityBytes = TopNResultCodec.EntityBytes(entity);
        _groupSizes.TryGetValue(groupKey, out int place);
        _groupSizes[groupKey] = place + 1;
        _bySeries[seriesId] = (groupKey, entity, entityBytes, place);
        Order.Add(entityBytes);
        ordinal = new TopNSeriesOrdinal(_space, place);
        return entityBytes;
    }
}
