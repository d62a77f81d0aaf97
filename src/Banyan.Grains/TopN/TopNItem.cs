using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// One ranked entry of a window's list: the source series it came from, its value, and the source measure's entity
/// values of that series (what a TopN answer shows, as BanyanDB's <c>TopNList.Item.entity</c>).
/// </summary>
/// <remarks>
/// The series id is a function of the source measure's name and the entity (<see cref="SeriesKey.ComputeSeriesId"/>,
/// as the write path computes it), so a persisted list (format 2 of <see cref="TopNResultCodec"/>) does not store it:
/// an item read back gets it from the source measure's name on first use (seeding a window needs it; a query reads
/// lists without making items, <see cref="TopNListReader"/>).
/// </remarks>
internal sealed class TopNItem
{
    // The source measure's name while the id is still to be computed from it; null once it is.
    private string? _sourceSubject;
    private ulong _seriesId;

    /// <summary>An item of a known series.</summary>
    /// <param name="seriesId">The source series id (xxHash64 of the measure name and entity).</param>
    /// <param name="value">The ranked field's value.</param>
    /// <param name="entity">The source measure's entity tag values, in <c>entity.tag_names</c> order.</param>
    public TopNItem(ulong seriesId, TopNRank value, TagValue[] entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        _seriesId = seriesId;
        Value = value;
        Entity = entity;
    }

    private TopNItem(string sourceSubject, TopNRank value, TagValue[] entity)
    {
        _sourceSubject = sourceSubject;
        Value = value;
        Entity = entity;
    }

    /// <summary>The ranked field's value.</summary>
    public TopNRank Value { get; }

    /// <summary>The source measure's entity tag values, in <c>entity.tag_names</c> order (shared, never changed).</summary>
    public TagValue[] Entity { get; }

    /// <summary>
    /// <see cref="Entity"/> as a persisted list stores it (<see cref="TopNResultCodec.WriteEntity"/>'s bytes), when the
    /// write path knows it (shared, never changed): a flush copies it instead of encoding the values of every item again.
    /// </summary>
    public byte[]? EntityBytes { get; init; }

    /// <summary>
    /// The source series id: the key a newer point of the same series replaces. Computed on first use for an item read
    /// back from a list that does not store it.
    /// </summary>
    public ulong SeriesId
    {
        get
        {
            // Items are built on one thread and read on another (a persisted list is decoded off the grain's turn): the
            // id is written before the name is cleared, and the computation is deterministic, so a race only repeats it.
            if (Volatile.Read(ref _sourceSubject) is { } subject)
            {
                _seriesId = SeriesKey.ComputeSeriesId(subject, Entity);
                Volatile.Write(ref _sourceSubject, null);
            }

            return _seriesId;
        }
    }

    /// <summary>
    /// An item read back from a list that does not store the series id: its id is derived from
    /// <paramref name="sourceSubject"/> (the source measure's name) and the entity when first read.
    /// </summary>
    public static TopNItem Derived(string sourceSubject, TopNRank value, TagValue[] entity)
    {
        ArgumentNullException.ThrowIfNull(sourceSubject);
        ArgumentNullException.ThrowIfNull(entity);
        return new TopNItem(sourceSubject, value, entity);
    }
}
