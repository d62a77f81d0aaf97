namespace Banyan.Grains.TopN;

/// <summary>
/// The entities a TopN aggregation's series tags hold (<see cref="TopNSeriesTags"/>), ranked in ascending order of their
/// bytes: a flush encodes every changed list with its entities in that order (<see cref="TopNResultCodec.Encode"/>), and
/// sorting a list's 1,000 entities by comparing their bytes (about 127 each on the peer load, alike in their first
/// dozens) was most of a list's encoding; with the entities ranked once, a list sorts integers.
/// </summary>
/// <remarks>
/// <para>Entities are known by their array (the one the series tags give every point of the series), not by content, so
/// a rank is found with a reference lookup. An entity added since the last ranking is ranked when ranks are next asked
/// for: the new ones sorted by bytes and merged with those ranked before, every rank numbered again (linear in the
/// entities held, and only in a flush that follows new series).</para>
/// <para>Single-threaded: the shard grain's turns use it, as they use the series tags.</para>
/// </remarks>
internal sealed class TopNEntityOrder
{
    private readonly Dictionary<byte[], int> _rankOf = new(ReferenceEqualityComparer.Instance);
    private readonly List<byte[]> _unranked = [];
    private byte[][] _ranked = [];

    /// <summary>Entities held, ranked or not.</summary>
    public int Count => _ranked.Length + _unranked.Count;

    /// <summary>Adds an entity's bytes (shared, never changed); it is ranked when ranks are next asked for.</summary>
    public void Add(byte[] entityBytes)
    {
        ArgumentNullException.ThrowIfNull(entityBytes);
        _unranked.Add(entityBytes);
    }

    /// <summary>
    /// Fills <paramref name="keys"/> with a sort key per item of <paramref name="items"/>: its entity's rank in the high 32
    /// bits, its position in the low ones, so sorted they give the items in the byte order of their entities, equal ones
    /// (arrays of equal bytes share a rank) in list order, exactly as comparing the bytes gives them. False, and the keys
    /// partly written, when an item's entity is not held here (an item read back from disk, or one kept from before the
    /// series tags started over): the caller compares bytes instead.
    /// </summary>
    public bool TryKeys(IReadOnlyList<TopNItem> items, Span<long> keys)
    {
        ArgumentNullException.ThrowIfNull(items);
        return TryKeys(new TopNItemList(items), keys);
    }

    /// <summary><see cref="TryKeys(IReadOnlyList{TopNItem}, Span{long})"/> for items read through <see cref="ITopNRankedItems"/>.</summary>
    public bool TryKeys<TItems>(TItems items, Span<long> keys)
        where TItems : ITopNRankedItems
    {
        if (keys.Length < items.Count)
        {
            throw new ArgumentException($"room for {keys.Length} keys, {items.Count} items", nameof(keys));
        }

        RankAdded();
        for (int i = 0; i < items.Count; i++)
        {
            if (items.EntityBytesAt(i) is not { } bytes || !_rankOf.TryGetValue(bytes, out int rank))
            {
                return false;
            }

            keys[i] = ((long)rank << 32) | (uint)i;
        }

        return true;
    }

    // The entities added since the last ranking, sorted and merged in; every entity numbered by its place.
    private void RankAdded()
    {
        if (_unranked.Count == 0)
        {
            return;
        }

        byte[][] added = [.. _unranked];
        _unranked.Clear();
        Array.Sort(added, static (x, y) => x.AsSpan().SequenceCompareTo(y));
        var merged = new byte[_ranked.Length + added.Length][];
        int a = 0;
        int b = 0;
        int rank = 0;
        for (int m = 0; m < merged.Length; m++)
        {
            bool takeRanked = b == added.Length || (a < _ranked.Length && _ranked[a].AsSpan().SequenceCompareTo(added[b]) <= 0);
            merged[m] = takeRanked ? _ranked[a++] : added[b++];

            // Arrays of equal bytes share a rank, so the items holding them keep their list order, as compared bytes do.
            if (m > 0 && !merged[m].AsSpan().SequenceEqual(merged[m - 1]))
            {
                rank = m;
            }

            _rankOf[merged[m]] = rank;
        }

        _ranked = merged;
    }
}
