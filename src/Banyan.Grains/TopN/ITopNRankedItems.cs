using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// A ranked list's items as its encoding reads them (<see cref="TopNResultCodec.Encode{TItems}"/>), best first: the value,
/// entity and entity bytes of each, by position. Implemented by structs (generic code is compiled for each, so a call
/// costs no interface dispatch): <see cref="TopNItemList"/> over items, and <see cref="TopNCounters.RankedSlots"/> over a
/// list's own slots, which a flush encodes without building an item object per entry.
/// </summary>
internal interface ITopNRankedItems
{
    /// <summary>The number of items.</summary>
    int Count { get; }

    /// <summary>The ranked value of item <paramref name="index"/>.</summary>
    TopNRank ValueAt(int index);

    /// <summary>The entity values of item <paramref name="index"/>.</summary>
    TagValue[] EntityAt(int index);

    /// <summary>The entity of item <paramref name="index"/> as a persisted list stores it, when known; null otherwise.</summary>
    byte[]? EntityBytesAt(int index);
}
