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
    private readonly Dictionary<ulong, Entry> _bySeries;

    // A binary heap, the worst entry at [0]: a point of a full list is judged against the worst in constant time, and an
    // entry leaves or is replaced in logarithmic time, without a node per entry. Each entry knows its index, so the entry
    // of a series put again is removed from the middle. (A sorted set did the same work with a tree walk to its minimum for
    // every point, 3-4 % of a silo's CPU on the write path of a measure with a TopN aggregation.)
    private Entry[] _heap;
    private long _sequence;

    /// <summary>An empty list.</summary>
    /// <param name="capacity">At most this many items (<c>counters_number</c>), at least 1.</param>
    /// <param name="descending">True keeps the highest values (top N), false the lowest (bottom N).</param>
    public TopNCounters(int capacity, bool descending)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _descending = descending;
        _bySeries = new Dictionary<ulong, Entry>(Math.Min(capacity + 1, InitialRoom));
        _heap = new Entry[Math.Min(capacity + 1, InitialRoom)];
    }

    // Room allocated up front; a list that grows past it doubles.
    private const int InitialRoom = 64;

    /// <summary>Number of items listed.</summary>
    public int Count { get; private set; }

    /// <summary>True when the list changed since <see cref="MarkClean"/>.</summary>
    public bool Dirty { get; private set; }

    /// <summary>Takes a point of a series: replaces the series' entry, and keeps the point if it ranks within the list.</summary>
    public void Put(TopNItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_bySeries.Remove(item.SeriesId, out Entry? existing))
        {
            RemoveAt(existing.Index);
            Dirty = true;
        }

        if (!Ranks(item.Value))
        {
            return;
        }

        Entry entry = new(item, ++_sequence);
        _bySeries[item.SeriesId] = entry;
        Push(entry);
        Dirty = true;
        if (Count > _capacity)
        {
            Entry worst = _heap[0];
            RemoveAt(0);
            _bySeries.Remove(worst.Item.SeriesId);
        }
    }

    /// <summary>The items, best first.</summary>
    public TopNItem[] Ranked()
    {
        Entry[] entries = _heap[..Count];
        Array.Sort(entries, (x, y) => CompareWorstFirst(y, x));
        TopNItem[] items = new TopNItem[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            items[i] = entries[i].Item;
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
        if (Count < _capacity)
        {
            return true;
        }

        int c = value.CompareTo(_heap[0].Item.Value);
        return _descending ? c > 0 : c < 0;
    }

    // Worst value first; among equal values the most recently put first (it is the one that leaves).
    private int CompareWorstFirst(Entry x, Entry y)
    {
        int c = x.Item.Value.CompareTo(y.Item.Value);
        if (c != 0)
        {
            return _descending ? c : -c;
        }

        return y.Sequence.CompareTo(x.Sequence);
    }

    private void Push(Entry entry)
    {
        if (Count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        Place(entry, Count);
        Count++;
        SiftUp(entry.Index);
    }

    private void RemoveAt(int index)
    {
        Count--;
        Entry last = _heap[Count];
        _heap[Count] = null!;
        if (index == Count)
        {
            return;
        }

        Place(last, index);
        if (index > 0 && CompareWorstFirst(last, _heap[(index - 1) / 2]) < 0)
        {
            SiftUp(index);
        }
        else
        {
            SiftDown(index);
        }
    }

    private void SiftUp(int index)
    {
        Entry entry = _heap[index];
        while (index > 0)
        {
            int parent = (index - 1) / 2;
            if (CompareWorstFirst(entry, _heap[parent]) >= 0)
            {
                break;
            }

            Place(_heap[parent], index);
            index = parent;
        }

        Place(entry, index);
    }

    private void SiftDown(int index)
    {
        Entry entry = _heap[index];
        while (true)
        {
            int child = (2 * index) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && CompareWorstFirst(_heap[child + 1], _heap[child]) < 0)
            {
                child++;
            }

            if (CompareWorstFirst(_heap[child], entry) >= 0)
            {
                break;
            }

            Place(_heap[child], index);
            index = child;
        }

        Place(entry, index);
    }

    private void Place(Entry entry, int index)
    {
        _heap[index] = entry;
        entry.Index = index;
    }

    private sealed class Entry(TopNItem item, long sequence)
    {
        public TopNItem Item { get; } = item;

        public long Sequence { get; } = sequence;

        /// <summary>Where the entry is in the heap.</summary>
        public int Index { get; set; }
    }
}
