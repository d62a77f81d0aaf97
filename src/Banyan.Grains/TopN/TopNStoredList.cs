namespace Banyan.Grains.TopN;

/// <summary>One persisted ranked list read back from a shard: which aggregation, direction and group-by value it ranks, its window and version.</summary>
/// <param name="Group">The aggregation's group.</param>
/// <param name="Name">The aggregation's name.</param>
/// <param name="Descending">True for the <c>SORT_DESC</c> list, false for <c>SORT_ASC</c>.</param>
/// <param name="List">The window start, group-by value and items.</param>
/// <param name="Version">The row's version (the flush that wrote it; a later flush of the same list has a higher one).</param>
internal sealed record TopNStoredList(string Group, string Name, bool Descending, TopNSnapshot List, long Version);
