using Banyan.Storage.Values;

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
    // of a series put again moves from the middle to its new place. (A sorted set did the same work with a tree walk to its minimum for
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
        Put(item.SeriesId, item.Value, item.Entity);
    }

    /// <summary>
    /// <see cref="Put(TopNItem)"/> for a point given by its parts: an entry is reused rather than replaced, and nothing is
    /// allocated unless a series enters a list with room to spare, so the write path's steady state (a series put again
    /// within its window, or a point that does not rank) allocates nothing.
    /// </summary>
    /// <param name="seriesId">The source series.</param>
    /// <param name="value">The ranked field's value.</param>
    /// <param name="entity">The source series' entity values (shared, never changed).</param>
    public void Put(ulong seriesId, TopNRank value, TagValue[] entity)
    {
        if (_bySeries.TryGetValue(seriesId, out Entry? existing))
        {
            // Taking the series' entry out leaves room, so its new point always ranks: the entry takes the point (a new
            // sequence, as a fresh entry would get) and moves to its place. The list holds what removing and pushing gives.
            existing.Set(value, entity, ++_sequence);
            Resift(existing.Index);
            Dirty = true;
            return;
        }

        if (Count < _capacity)
        {
            Entry entry = new(seriesId, value, entity, ++_sequence);
            _bySeries.Add(seriesId, entry);
            Push(entry);
            Dirty = true;
            return;
        }

        if (!Beats(value, _heap[0].Value))
        {
            return;
        }

        // A full list and a point better than its worst: the worst leaves and its entry takes the point (pushing then
        // removing the worst would give the same list: the point, strictly better, is never the one that leaves).
        Entry worst = _heap[0];
        _bySeries.Remove(worst.SeriesId);
        worst.SeriesId = seriesId;
        worst.Set(value, entity, ++_sequence);
        _bySeries.Add(seriesId, worst);
        SiftDown(0);
        Dirty = true;
    }

    /// <summary>The items, best first (new items: the list keeps points as entries, not as items).</summary>
    public TopNItem[] Ranked()
    {
        Entry[] entries = _heap[..Count];
        Array.Sort(entries, (x, y) => CompareWorstFirst(y, x));
        TopNItem[] items = new TopNItem[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            items[i] = new TopNItem(entries[i].SeriesId, entries[i].Value, entries[i].Entity);
        }

        return items;
    }

    /// <summary>Marks the list as persisted.</summary>
    public void MarkClean() => Dirty = false;

    /// <summary>Marks the list as not persisted (a flush of it failed).</summary>
    public void MarkDirty() => Dirty = true;

    // Whether a value is strictly better than another in this list's direction.
    private bool Beats(TopNRank value, TopNRank other)
    {
        int c = value.CompareTo(other);
        return _descending ? c > 0 : c < 0;
    }

    // Worst value first; among equal values the most recently put first (it is the one that leaves).
    private int CompareWorstFirst(Entry x, Entry y)
    {
        int c = x.Value.CompareTo(y.Value);
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

    // An entry whose value changed: up or down to its place.
    private void Resift(int index)
    {
        if (index > 0 && CompareWorstFirst(_heap[index], _heap[(index - 1) / 2]) < 0)
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

    private sealed class Entry(ulong seriesId, TopNRank value, TagValue[] entity, long sequence)
    {
        public ulong SeriesId { get; set; } = seriesId;

        public TopNRank Value { get; private set; } = value;

        public TagValue[] Entity { get; private set; } = entity;

        public long Sequence { get; private set; } = sequence;

        /// <summary>Where the entry is in the heap.</summary>
        public int Index { get; set; }

        public void Set(TopNRank value, TagValue[] entity, long sequence)
        {
            Value = value;
            Entity = entity;
            Sequence = sequence;
        }
    }
}
