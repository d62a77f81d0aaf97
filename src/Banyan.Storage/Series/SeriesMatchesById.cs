using System.Collections;

namespace Banyan.Storage.Series;

/// <summary>
/// Series matches ascending by id, read-only, with their ids as one array: the answer the series index caches for an
/// entity prefix (<see cref="SeriesIndex.FindByPrefix"/>), which every query naming that prefix walks (a chart's
/// buckets are a dozen queries over the same series). A caller that knows this type reads the matches as a span and
/// passes <see cref="Ids"/> on as they are, instead of checking the order, copying the ids and calling through
/// <see cref="IReadOnlyList{T}"/> for each element.
/// </summary>
public sealed class SeriesMatchesById : IReadOnlyList<SeriesMatch>
{
    private readonly SeriesMatch[] _matches;
    private readonly ulong[] _ids;

    internal SeriesMatchesById(IEnumerable<SeriesMatch> matches)
    {
        _matches = [.. matches];
        if (!Ascending(_matches))
        {
            Array.Sort(_matches, static (a, b) => a.SeriesId.CompareTo(b.SeriesId));
        }

        _ids = new ulong[_matches.Length];
        for (int i = 0; i < _ids.Length; i++)
        {
            _ids[i] = _matches[i].SeriesId;
        }
    }

    /// <summary>
    /// <paramref name="matches"/> in id order with their ids: the list itself when it is one already (the series index's
    /// cached answer), else a copy, sorted when it is not in id order.
    /// </summary>
    public static SeriesMatchesById Of(IReadOnlyList<SeriesMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        return matches as SeriesMatchesById ?? new SeriesMatchesById(matches);
    }

    /// <summary>The series' ids, ascending (shared: not to be written).</summary>
    public ReadOnlyMemory<ulong> Ids => _ids;

    /// <inheritdoc />
    public int Count => _matches.Length;

    /// <inheritdoc />
    public SeriesMatch this[int index] => _matches[index];

    /// <summary>The matches as a span, ascending by id.</summary>
    public ReadOnlySpan<SeriesMatch> AsSpan() => _matches;

    /// <inheritdoc />
    public IEnumerator<SeriesMatch> GetEnumerator() => ((IEnumerable<SeriesMatch>)_matches).GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool Ascending(SeriesMatch[] matches)
    {
        for (int i = 1; i < matches.Length; i++)
        {
            if (matches[i].SeriesId < matches[i - 1].SeriesId)
            {
                return false;
            }
        }

        return true;
    }
}
