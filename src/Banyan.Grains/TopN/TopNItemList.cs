using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary><see cref="ITopNRankedItems"/> over item objects (a list read back, a query's snapshot, a test's list).</summary>
/// <param name="items">The items, best first.</param>
internal readonly struct TopNItemList(IReadOnlyList<TopNItem> items) : ITopNRankedItems
{
    /// <inheritdoc/>
    public int Count => items.Count;

    /// <inheritdoc/>
    public TopNRank ValueAt(int index) => items[index].Value;

    /// <inheritdoc/>
    public TagValue[] EntityAt(int index) => items[index].Entity;

    /// <inheritdoc/>
    public byte[]? EntityBytesAt(int index) => items[index].EntityBytes;
}
