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
        Put(item.SeriesId, item.Value, item.Entity, item.EntityBytes);
    }

    /// <summary>
    /// <see cref="Put(TopNItem)"/> for a point given by its parts: an entry is reused rather than replaced, and nothing is
    /// allocated unless a series enters a list with room to spare, so the write path's steady state (a series put again
    /// within its window, or a point that does not rank) allocates nothing.
    /// </summary>
    /// <param name="seriesId">The source series.</param>
    /// <param name="value">The ranked field's value.</param>
    /// <param name="entity">The source series' entity values (shared, never changed).</param>
    /// <param name="entityBytes">The entity as a persisted list stores it, when known (shared, never changed).</param>
    public void Put(ulong seriesId, TopNRank value, TagValue[] entity, byte[]? entityBytes = null)
    {
        if (_bySeries.TryGetValue(seriesId, out Entry? existing))
        {
            // Taking the series' entry out leaves room, so its new point always ranks: the entry takes the point (a new
            // sequence, as a fresh entry would get) and moves to its place. The list holds what removing and pushing gives.
            existing.Set(value, entity, entityBytes, ++_sequence);
            Resift(existing.Index);
            Dirty = true;
            return;
        }

        if (Count < _capacity)
        {
            Entry entry = new(seriesId, value, entity, entityBytes, ++_sequence);
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
        worst.Set(value, entity, entityBytes, ++_sequence);
        _bySeries.Add(seriesId, worst);
        SiftDown(0);
        Dirty = true;
    }

    /// <summary>The items, best first (new items: the list keeps points as entries, not as items).</summary>
    public TopNItem[] Ranked()
    {
        int count = Count;
        Entry[] entries = _heap[..count];
        if (!TrySortBestFirstByKeys(entries))
        {
            Array.Sort(entries, (x, y) => CompareWorstFirst(y, x));
        }

        TopNItem[] items = new TopNItem[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = new TopNItem(entries[i].SeriesId, entries[i].Value, entries[i].Entity) { EntityBytes = entries[i].EntityBytes };
        }

        return items;
    }

    // Ranked's order by primitive keys (a flush ranks every list it writes; comparing entries through a delegate was a
    // quarter of a flush): the value as a 64-bit key in the list's direction, best first, then the sequence, older first,
    // exactly the order of CompareWorstFirst reversed. Values of one list are all INT or all FLOAT; a list that mixes
    // them (never written by one aggregation) is left to the comparison sort.
    private bool TrySortBestFirstByKeys(Entry[] entries)
    {
        if (entries.Length < 2)
        {
            return true;
        }

        bool isFloat = entries[0].Value.IsFloat;
        var keys = new RankKey[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            TopNRank value = entries[i].Value;
            if (value.IsFloat != isFloat)
            {
                return false;
            }

            long ordered = isFloat ? OrderedBits(value.Float) : value.Int;
            keys[i] = new RankKey(_descending ? ~ordered : ordered, entries[i].Sequence);
        }

        Array.Sort(keys, entries);
        return true;
    }

    // A double's bits as a long in double.CompareTo's order: negative numbers' bits flipped below the positive ones,
    // -0.0 as 0.0 (CompareTo holds them equal) and every NaN below everything (as CompareTo puts NaN).
    private static long OrderedBits(double value)
    {
        if (double.IsNaN(value))
        {
            return long.MinValue;
        }

        long bits = BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value);
        return bits >= 0 ? bits : bits ^ long.MaxValue;
    }

    // The sort key of Ranked: ascending primary (the value, flipped for a top list), then ascending sequence.
    private readonly record struct RankKey(long Primary, long Sequence) : IComparable<RankKey>
    {
        public int CompareTo(RankKey other)
        {
            int c = Primary.CompareTo(other.Primary);
            return c != 0 ? c : Sequence.CompareTo(other.Sequence);
        }
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

    private sealed class Entry(ulong seriesId, TopNRank value, TagValue[] entity, byte[]? entityBytes, long sequence)
    {
        public ulong SeriesId { get; set; } = seriesId;

        public TopNRank Value { get; private set; } = value;

        public TagValue[] Entity { get; private set; } = entity;

        public byte[]? EntityBytes { get; private set; } = entityBytes;

        public long Sequence { get; private set; } = sequence;

        /// <summary>Where the entry is in the heap.</summary>
        public int Index { get; set; }

        public void Set(TopNRank value, TagValue[] entity, byte[]? entityBytes, long sequence)
        {
            Value = value;
            Entity = entity;
            EntityBytes = entityBytes;
            Sequence = sequence;
        }
    }
}
