namespace Banyan.Grains.TopN;

/// <summary>
/// The ranked list of one group-by value in one window: at most <c>counters_number</c> items, one per source series,
/// the best by value in one direction. BanyanDB's streaming TopN (<c>pkg/flow/streaming/topn.go</c>) in the same rules:
/// a newer point of a series already listed replaces its entry (the series' last value in the window counts, not its
/// best); a point no better than the worst entry of a full list is not taken; when the list grows past its capacity the
/// worst entry leaves, among equal worst values the one put last.
/// </summary>
internal sealed class TopNCounters
{
    private readonly int _capacity;
    private readonly bool _descending;
    private readonly Dictionary<ulong, Entry> _bySeries = [];
    private readonly SortedSet<Entry> _worstFirst;
    private long _sequence;

    /// <summary>An empty list.</summary>
    /// <param name="capacity">At most this many items (<c>counters_number</c>), at least 1.</param>
    /// <param name="descending">True keeps the highest values (top N), false the lowest (bottom N).</param>
    public TopNCounters(int capacity, bool descending)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _descending = descending;
        _worstFirst = new SortedSet<Entry>(Comparer<Entry>.Create(CompareWorstFirst));
    }

    /// <summary>Number of items listed.</summary>
    public int Count => _bySeries.Count;

    /// <summary>True when the list changed since <see cref="MarkClean"/>.</summary>
    public bool Dirty { get; private set; }

    /// <summary>Takes a point of a series: replaces the series' entry, and keeps the point if it ranks within the list.</summary>
    public void Put(TopNItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_bySeries.Remove(item.SeriesId, out Entry? existing))
        {
            _worstFirst.Remove(existing);
            Dirty = true;
        }

        if (!Ranks(item.Value))
        {
            return;
        }

        Entry entry = new(item, ++_sequence);
        _bySeries[item.SeriesId] = entry;
        _worstFirst.Add(entry);
        Dirty = true;
        if (_bySeries.Count > _capacity)
        {
            Entry worst = _worstFirst.Min!;
            _worstFirst.Remove(worst);
            _bySeries.Remove(worst.Item.SeriesId);
        }
    }

    /// <summary>The items, best first.</summary>
    public TopNItem[] Ranked()
    {
        TopNItem[] items = new TopNItem[_bySeries.Count];
        int i = 0;
        foreach (Entry entry in _worstFirst.Reverse())
        {
            items[i++] = entry.Item;
        }

        return items;
    }

    /// <summary>Marks the list as persisted.</summary>
    public void MarkClean() => Dirty = false;

    /// <summary>Marks the list as not persisted (a flush of it failed).</summary>
    public void MarkDirty() => Dirty = true;

    // A value that would enter the list: any while it has room, else only one strictly better than the worst.
    private bool Ranks(TopNRank value)
    {
        if (_bySeries.Count < _capacity || _worstFirst.Count == 0)
        {
            return true;
        }

        int c = value.CompareTo(_worstFirst.Min!.Item.Value);
        return _descending ? c > 0 : c < 0;
    }

    // Worst value first; among equal values the most recently put first (it is the one that leaves).
    private int CompareWorstFirst(Entry? x, Entry? y)
    {
        int c = x!.Item.Value.CompareTo(y!.Item.Value);
        if (c != 0)
        {
            return _descending ? c : -c;
        }

        return y.Sequence.CompareTo(x.Sequence);
    }

    private sealed record Entry(TopNItem Item, long Sequence);
}
