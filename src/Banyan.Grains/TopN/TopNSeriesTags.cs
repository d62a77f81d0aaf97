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

    private readonly Dictionary<ulong, (string GroupKey, TagValue[] Entity, byte[] EntityBytes)> _bySeries = [];

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

    /// <summary>How many series are remembered.</summary>
    public int Count => _bySeries.Count;

    /// <summary>
    /// The remembered key, entity values and entity bytes (as a persisted list stores them, <see cref="TopNResultCodec.WriteEntity"/>)
    /// of <paramref name="seriesId"/>, if any.
    /// </summary>
    public bool TryGet(ulong seriesId, out string groupKey, out TagValue[] entity, out byte[] entityBytes)
    {
        if (_bySeries.TryGetValue(seriesId, out (string GroupKey, TagValue[] Entity, byte[] EntityBytes) known))
        {
            (groupKey, entity, entityBytes) = known;
            return true;
        }

        groupKey = string.Empty;
        entity = [];
        entityBytes = [];
        return false;
    }

    /// <summary>
    /// Remembers the key and entity values of <paramref name="seriesId"/> (the entity array is shared, never changed), and
    /// returns the entity's bytes as a persisted list stores them, encoded here once per series instead of once per item of
    /// every list a flush writes (that encoding was a third of a flush).
    /// </summary>
    public byte[] Add(ulong seriesId, string groupKey, TagValue[] entity)
    {
        if (_bySeries.Count >= MaxSeries)
        {
            _bySeries.Clear();
        }

        byte[] entityBytes = TopNResultCodec.EntityBytes(entity);
        _bySeries[seriesId] = (groupKey, entity, entityBytes);
        return entityBytes;
    }
}
