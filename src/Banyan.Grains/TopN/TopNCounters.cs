using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// The ranked list of one group-by value in one window: at most <c>counters_number</c> items, one per source series,
/// the best by value in one direction. BanyanDB's streaming TopN (<c>pkg/flow/streaming/topn.go</c>) in the same rules:
/// a newer point of a series already listed replaces its entry (the series' last value in the window counts, not its
/// best); a point no better than the worst entry of a full list is not taken; when the list grows past its capacity the
/// worst entry leaves, among equal worst values the one put last.
/// </summary>
/// <remarks>
/// Entries live in slots of parallel arrays (series ids; value and sequence; entity), not in an object each: a silo keeps every
/// open window's lists (the peer load: 720 lists of 1,000), and an object per entry was most of the objects on its heap,
/// each copied by the collector as it aged and marked at every full collection. A slot is never freed: a series put
/// again keeps its slot, and a point that pushes the worst entry out takes the worst's slot. A series' slot is found by
/// the series' place among those of its group-by value (<see cref="TopNSeriesOrdinal"/>, an array read nearly in order
/// window after window) while the points bring places; a map by series id took 1.8 % of a silo's samples on the peer load.
/// </remarks>
internal sealed class TopNCounters
{
    // Room allocated up front; a list that grows past it doubles (up to its capacity).
    private const int InitialRoom = 64;

    private readonly int _capacity;
    private readonly bool _descending;
    private ulong[] _seriesIds;

    // Where a series' entry is. While every point put came with its series' place (TopNSeriesOrdinal) in one space, by
    // that place: _slotByOrdinal[place] is the slot + 1 (0: not listed), _ordinals[slot] the place of the slot's series.
    // From the first point without one (an item read back from disk, a point read in full) or with a place of another
    // space (the series tags started over), by series id in _slotOf, for good.
    private object? _ordinalSpace;
    private int[] _slotByOrdinal = [];
    private int[] _ordinals;
    private Dictionary<ulong, int>? _slotOf;

    // What a comparison reads, side by side (one cache line per slot), and the entity a slot shows, in a struct so that
    // storing it needs no check of the array's element type (an array of arrays does).
    private Rank[] _ranks;
    private Shown[] _shown;

    // A binary heap of slots, the worst entry's at [0]: a point of a full list is judged against the worst in constant
    // time, and an entry leaves or is replaced in logarithmic time. Each slot knows its heap position (_positions), so the
    // entry of a series put again moves from the middle to its new place. (A sorted set did the same work with a tree
    // walk to its minimum for every point, 3-4 % of a silo's CPU on the write path of a measure with a TopN aggregation.)
    private int[] _heap;
    private int[] _positions;
    private long _sequence;

    /// <summary>An empty list.</summary>
    /// <param name="capacity">At most this many items (<c>counters_number</c>), at least 1.</param>
    /// <param name="descending">True keeps the highest values (top N), false the lowest (bottom N).</param>
    /// <param name="expected">
    /// The items the list is expected to hold (the window before it held as many): room for them is allocated up front
    /// (never past the capacity), so the list does not double its way up, rehashing its map at every step.
    /// </param>
    public TopNCounters(int capacity, bool descending, int expected = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        _capacity = capacity;
        _descending = descending;
        int room = Math.Min(capacity, Math.Max(InitialRoom, expected));
        _seriesIds = new ulong[room];
        _ordinals = new int[room];
        _ranks = new Rank[room];
        _shown = new Shown[room];
        _heap = new int[room];
        _positions = new int[room];
    }

    /// <summary>Number of items listed.</summary>
    public int Count { get; private set; }

    /// <summary>The items the list has room for before it grows.</summary>
    internal int Room => _heap.Length;

    /// <summary>True while the list finds entries by their series' places (<see cref="TopNSeriesOrdinal"/>), false once by series id.</summary>
    internal bool FindsByPlace => _slotOf is null && _ordinalSpace is not null;

    /// <summary>True when the list changed since <see cref="MarkClean"/>.</summary>
    public bool Dirty { get; private set; }

    /// <summary>Takes a point of a series: replaces the series' entry, and keeps the point if it ranks within the list.</summary>
    public void Put(TopNItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Put(item.SeriesId, item.Value, item.Entity, item.EntityBytes);
    }

    /// <summary>
    /// <see cref="Put(TopNItem)"/> for a point given by its parts: a slot is reused rather than replaced, and nothing is
    /// allocated unless the list grows past its room, so the write path's steady state (a series put again within its
    /// window, or a point that does not rank) allocates nothing.
    /// </summary>
    /// <param name="seriesId">The source series.</param>
    /// <param name="value">The ranked field's value.</param>
    /// <param name="entity">The source series' entity values (shared, never changed).</param>
    /// <param name="entityBytes">The entity as a persisted list stores it, when known (shared, never changed).</param>
    /// <param name="ordinal">The series' place among those of its group-by value (<see cref="TopNSeriesOrdinal"/>), when known.</param>
    public void Put(ulong seriesId, TopNRank value, TagValue[] entity, byte[]? entityBytes = null, TopNSeriesOrdinal ordinal = default)
    {
        bool byOrdinal = FindsByOrdinal(ordinal);
        int slot = byOrdinal ? SlotOfOrdinal(ordinal.Value) : _slotOf!.GetValueOrDefault(seriesId, -1);
        if (slot >= 0)
        {
            // Taking the series' entry out leaves room, so its new point always ranks: the slot takes the point (a new
            // sequence, as a fresh entry would get) and moves to its place. The list holds what removing and pushing gives.
            Set(slot, value, entity, entityBytes);
            Resift(_positions[slot]);
            Dirty = true;
            return;
        }

        if (Count < _capacity)
        {
            slot = Count;
            if (slot == _heap.Length)
            {
                Grow();
            }

            Set(slot, value, entity, entityBytes);
            Remember(slot, seriesId, byOrdinal, ordinal.Value);
            Count++;
            Place(slot, slot);
            SiftUp(slot);
            Dirty = true;
            return;
        }

        if (!Beats(value, _ranks[_heap[0]].Value))
        {
            return;
        }

        // A full list and a point better than its worst: the worst leaves and its slot takes the point (pushing then
        // removing the worst would give the same list: the point, strictly better, is never the one that leaves).
        slot = _heap[0];
        Forget(slot, byOrdinal);
        Set(slot, value, entity, entityBytes);
        Remember(slot, seriesId, byOrdinal, ordinal.Value);
        SiftDown(0);
        Dirty = true;
    }

    /// <summary>The items, best first (new items: the list keeps points in slots, not as items).</summary>
    public TopNItem[] Ranked()
    {
        RankedSlots ranked = RankSlots();
        TopNItem[] items = new TopNItem[ranked.Count];
        for (int i = 0; i < items.Length; i++)
        {
            int slot = ranked.SlotAt(i);
            items[i] = new TopNItem(_seriesIds[slot], _ranks[slot].Value, _shown[slot].Entity) { EntityBytes = _shown[slot].EntityBytes };
        }

        return items;
    }

    /// <summary>
    /// The entries best first as the list holds them, without an item object each: what a flush encodes (a window's list
    /// of 1,000 as objects was 8 % of the bytes the peer load's write phase allocated). Reads the list's arrays: valid
    /// until the list next changes.
    /// </summary>
    public RankedSlots RankSlots()
    {
        int count = Count;
        int[] slots = new int[count];
        for (int i = 0; i < count; i++)
        {
            slots[i] = i;
        }

        if (!TrySortBestFirstByKeys(slots))
        {
            Array.Sort(slots, (x, y) => CompareWorstFirst(y, x));
        }

        return new RankedSlots(this, slots);
    }

    /// <summary>Marks the list as persisted.</summary>
    public void MarkClean() => Dirty = false;

    /// <summary>Marks the list as not persisted (a flush of it failed).</summary>
    public void MarkDirty() => Dirty = true;

    // Ranked's order by primitive keys (a flush ranks every list it writes; comparing entries through a delegate was a
    // quarter of a flush): the value as a 64-bit key in the list's direction, best first, then the sequence, older first,
    // exactly the order of CompareWorstFirst reversed. Values of one list are all INT or all FLOAT; a list that mixes
    // them (never written by one aggregation) is left to the comparison sort.
    private bool TrySortBestFirstByKeys(int[] slots)
    {
        if (slots.Length < 2)
        {
            return true;
        }

        bool isFloat = _ranks[0].Value.IsFloat;
        var keys = new RankKey[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            TopNRank value = _ranks[slots[i]].Value;
            if (value.IsFloat != isFloat)
            {
                return false;
            }

            long ordered = isFloat ? OrderedBits(value.Float) : value.Int;
            keys[i] = new RankKey(_descending ? ~ordered : ordered, _ranks[slots[i]].Sequence);
        }

        Array.Sort(keys, slots);
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

    // Whether this point's entry is found by its series' place: yes while every point came with a place of one space;
    // otherwise the list turns to its map by series id, for good.
    private bool FindsByOrdinal(TopNSeriesOrdinal ordinal)
    {
        if (_slotOf is not null)
        {
            return false;
        }

        if (ordinal.IsKnown && (ReferenceEquals(ordinal.Space, _ordinalSpace) || (_ordinalSpace is null && Count == 0)))
        {
            _ordinalSpace = ordinal.Space;
            return true;
        }

        _slotOf = new Dictionary<ulong, int>(Math.Max(Count, _heap.Length));
        for (int slot = 0; slot < Count; slot++)
        {
            _slotOf.Add(_seriesIds[slot], slot);
        }

        _slotByOrdinal = [];
        _ordinalSpace = null;
        return false;
    }

    private int SlotOfOrdinal(int ordinal) => (uint)ordinal < (uint)_slotByOrdinal.Length ? _slotByOrdinal[ordinal] - 1 : -1;

    // The slot now holds the series: found by it from now on.
    private void Remember(int slot, ulong seriesId, bool byOrdinal, int ordinal)
    {
        _seriesIds[slot] = seriesId;
        if (!byOrdinal)
        {
            _slotOf!.Add(seriesId, slot);
            return;
        }

        if (ordinal >= _slotByOrdinal.Length)
        {
            // Places run past the list's room (a value's series outnumber its counters): twice the room to start with.
            Array.Resize(ref _slotByOrdinal, Math.Max(ordinal + 1, 2 * Math.Max(_heap.Length, _slotByOrdinal.Length)));
        }

        _slotByOrdinal[ordinal] = slot + 1;
        _ordinals[slot] = ordinal;
    }

    // The slot's series leaves the list.
    private void Forget(int slot, bool byOrdinal)
    {
        if (byOrdinal)
        {
            _slotByOrdinal[_ordinals[slot]] = 0;
        }
        else
        {
            _slotOf!.Remove(_seriesIds[slot]);
        }
    }

    // The slot takes a point: its value, entity and a new sequence.
    private void Set(int slot, TopNRank value, TagValue[] entity, byte[]? entityBytes)
    {
        _ranks[slot] = new Rank(value, ++_sequence);
        _shown[slot] = new Shown(entity, entityBytes);
    }

    // Doubles the room of every slot array (never past the capacity).
    private void Grow()
    {
        int room = Math.Min(_capacity, _heap.Length * 2);
        Array.Resize(ref _seriesIds, room);
        Array.Resize(ref _ordinals, room);
        Array.Resize(ref _ranks, room);
        Array.Resize(ref _shown, room);
        Array.Resize(ref _heap, room);
        Array.Resize(ref _positions, room);
    }

    // Whether a value is strictly better than another in this list's direction.
    private bool Beats(TopNRank value, TopNRank other)
    {
        int c = value.CompareTo(other);
        return _descending ? c > 0 : c < 0;
    }

    // Worst value first; among equal values the most recently put first (it is the one that leaves).
    private int CompareWorstFirst(int x, int y)
    {
        ref readonly Rank a = ref _ranks[x];
        ref readonly Rank b = ref _ranks[y];
        int c = a.Value.CompareTo(b.Value);
        if (c != 0)
        {
            return _descending ? c : -c;
        }

        return b.Sequence.CompareTo(a.Sequence);
    }

    // An entry whose value changed: up or down to its place.
    private void Resift(int position)
    {
        if (position > 0 && CompareWorstFirst(_heap[position], _heap[(position - 1) / 2]) < 0)
        {
            SiftUp(position);
        }
        else
        {
            SiftDown(position);
        }
    }

    private void SiftUp(int position)
    {
        int slot = _heap[position];
        while (position > 0)
        {
            int parent = (position - 1) / 2;
            if (CompareWorstFirst(slot, _heap[parent]) >= 0)
            {
                break;
            }

            Place(_heap[parent], position);
            position = parent;
        }

        Place(slot, position);
    }

    private void SiftDown(int position)
    {
        int slot = _heap[position];
        while (true)
        {
            int child = (2 * position) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && CompareWorstFirst(_heap[child + 1], _heap[child]) < 0)
            {
                child++;
            }

            if (CompareWorstFirst(_heap[child], slot) >= 0)
            {
                break;
            }

            Place(_heap[child], position);
            position = child;
        }

        Place(slot, position);
    }

    private void Place(int slot, int position)
    {
        _heap[position] = slot;
        _positions[slot] = position;
    }

    /// <summary>A list's entries best first, read from its slots (<see cref="RankSlots"/>).</summary>
    public readonly struct RankedSlots : ITopNRankedItems
    {
        private readonly TopNCounters _list;
        private readonly int[] _slots;

        internal RankedSlots(TopNCounters list, int[] slots)
        {
            _list = list;
            _slots = slots;
        }

        /// <inheritdoc/>
        public int Count => _slots.Length;

        /// <inheritdoc/>
        public TopNRank ValueAt(int index) => _list._ranks[_slots[index]].Value;

        /// <inheritdoc/>
        public TagValue[] EntityAt(int index) => _list._shown[_slots[index]].Entity;

        /// <inheritdoc/>
        public byte[]? EntityBytesAt(int index) => _list._shown[_slots[index]].EntityBytes;

        /// <summary>The slot of entry <paramref name="index"/>.</summary>
        internal int SlotAt(int index) => _slots[index];
    }

    // A slot's value and the sequence of the put that set it (a higher one is newer).
    private readonly record struct Rank(TopNRank Value, long Sequence);

    // A slot's entity values and, when known, their bytes as a persisted list stores them.
    private readonly record struct Shown(TagValue[] Entity, byte[]? EntityBytes);

    // The sort key of Ranked: ascending primary (the value, flipped for a top list), then ascending sequence.
    private readonly record struct RankKey(long Primary, long Sequence) : IComparable<RankKey>
    {
        public int CompareTo(RankKey other)
        {
            int c = Primary.CompareTo(other.Primary);
            return c != 0 ? c : Sequence.CompareTo(other.Sequence);
        }
    }
}
