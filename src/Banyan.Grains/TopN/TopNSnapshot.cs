namespace Banyan.Grains.TopN;

/// <summary>The ranked list of one group-by value in one window at one moment: what is persisted as one result row.</summary>
/// <param name="WindowStart">The window's start, ns since the Unix epoch (the result row's timestamp).</param>
/// <param name="GroupKey">The group-by value.</param>
/// <param name="Items">The items, best first.</param>
internal sealed record TopNSnapshot(long WindowStart, string GroupKey, TopNItem[] Items);
