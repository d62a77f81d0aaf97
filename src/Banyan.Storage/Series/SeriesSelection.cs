namespace Banyan.Storage.Series;

/// <summary>
/// The series of a subject a query selected by entity values (<c>Shard.FindSeries</c>): those the series index holds,
/// with their entity values, and those of acknowledged writes it does not hold yet, whose entity values the caller
/// decides on their rows.
/// </summary>
/// <param name="Indexed">Series found in the series index and accepted by the caller's filter, ascending by id.</param>
/// <param name="Unindexed">Series of buffered writes the index has not registered yet, ascending, not filtered.</param>
public sealed record SeriesSelection(IReadOnlyList<SeriesMatch> Indexed, IReadOnlyList<ulong> Unindexed)
{
    /// <summary>Every selected series id, ascending.</summary>
    public ulong[] Ids()
    {
        var ids = new ulong[Indexed.Count + Unindexed.Count];
        for (int i = 0; i < Indexed.Count; i++)
        {
            ids[i] = Indexed[i].SeriesId;
        }

        for (int i = 0; i < Unindexed.Count; i++)
        {
            ids[Indexed.Count + i] = Unindexed[i];
        }

        Array.Sort(ids);
        return ids;
    }
}
