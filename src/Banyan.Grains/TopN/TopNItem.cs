using System.Diagnostics.CodeAnalysis;
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
/// an item read back gets it from the source measure's name on first use (seeding a window needs it, a query does
/// not), or has none when the reader did not name the measure.
/// </remarks>
internal sealed class TopNItem
{
    // The source measure's name while the id is still to be computed from it; null once it is (or never needed).
    private string? _sourceSubject;
    private ulong _seriesId;
    private readonly bool _hasSeriesId;

    /// <summary>An item of a known series.</summary>
    /// <param name="seriesId">The source series id (xxHash64 of the measure name and entity).</param>
    /// <param name="value">The ranked field's value.</param>
    /// <param name="entity">The source measure's entity tag values, in <c>entity.tag_names</c> order.</param>
    public TopNItem(ulong seriesId, TopNRank value, TagValue[] entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        _seriesId = seriesId;
        _hasSeriesId = true;
        Value = value;
        Entity = entity;
    }

    private TopNItem(string? sourceSubject, TopNRank value, TagValue[] entity)
    {
        _sourceSubject = sourceSubject;
        _hasSeriesId = sourceSubject is not null;
        Value = value;
        Entity = entity;
    }

    /// <summary>The ranked field's value.</summary>
    public TopNRank Value { get; }

    /// <summary>The source measure's entity tag values, in <c>entity.tag_names</c> order (shared, never changed).</summary>
    public TagValue[] Entity { get; }

    /// <summary>True when <see cref="SeriesId"/> can be read.</summary>
    public bool HasSeriesId => _hasSeriesId;

    /// <summary>
    /// The source series id: the key a newer point of the same series replaces. Computed on first use for an item read
    /// back with its source measure's name.
    /// </summary>
    /// <exception cref="InvalidOperationException">The item was read back without the source measure's name (a bug of the caller).</exception>
    public ulong SeriesId
    {
        get
        {
            if (!_hasSeriesId)
            {
                ThrowNoSeriesId();
            }

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
    /// An item read back from a list that does not store the series id: with <paramref name="sourceSubject"/> (the
    /// source measure's name) its id is derived from the entity when first read; with null it has none.
    /// </summary>
    public static TopNItem Derived(string? sourceSubject, TopNRank value, TagValue[] entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new TopNItem(sourceSubject, value, entity);
    }

    [DoesNotReturn]
    private static void ThrowNoSeriesId() =>
        throw new InvalidOperationException("this TopN item was read back without its source measure's name, so it has no series id; this is a bug");
}
