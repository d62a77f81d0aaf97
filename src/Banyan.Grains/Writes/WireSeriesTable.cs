namespace Banyan.Grains.Writes;

/// <summary>
/// The series a <see cref="SeriesIdCache"/> resolved from wire bytes, by the hash of their key: open addressing with
/// linear probing over a power-of-two table at most half full, each slot holding the hash and the series side by side,
/// so a hit reads one slot and then the key's bytes in the arena. A dictionary with an object per series read its bucket,
/// its entry, the object and the object's array of string offsets, each a cache miss for a batch of distinct series
/// (the write planner's lookups were about 5 % of a running silo's write phase).
/// </summary>
/// <remarks>
/// One series per hash, as the dictionary before it kept: a second key with the same hash replaces the first, which is
/// then computed again when it comes back (the cache compares keys in full, so a collision never gives a wrong id).
/// Not thread-safe (one per layout, used on its grain's turn).
/// </remarks>
internal sealed class WireSeriesTable
{
    private const int FirstCapacity = 64;

    // Hash 0 marks an empty slot; a key whose hash is 0 is stored under 1 (Stored).
    private Slot[] _slots = new Slot[FirstCapacity];

    /// <summary>Series held.</summary>
    public int Count { get; private set; }

    /// <summary>The series stored under <paramref name="hash"/>; false when there is none.</summary>
    public bool TryGet(ulong hash, out WireSeries series)
    {
        ulong stored = Stored(hash);
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        for (int at = (int)stored & mask; ; at = (at + 1) & mask)
        {
            ref Slot slot = ref slots[at];
            if (slot.Hash == stored)
            {
                series = slot.Series;
                return true;
            }

            if (slot.Hash == 0)
            {
                series = default;
                return false;
            }
        }
    }

    /// <summary>Stores <paramref name="series"/> under <paramref name="hash"/>, replacing the series stored there.</summary>
    public void Set(ulong hash, WireSeries series)
    {
        ulong stored = Stored(hash);
        if ((Count + 1) * 2 > _slots.Length)
        {
            Grow();
        }

        int at = Find(_slots, stored);
        if (_slots[at].Hash == 0)
        {
            Count++;
        }

        _slots[at] = new Slot(stored, series);
    }

    /// <summary>Forgets every series.</summary>
    public void Clear()
    {
        _slots = new Slot[FirstCapacity];
        Count = 0;
    }

    private static ulong Stored(ulong hash) => hash == 0 ? 1 : hash;

    // The slot holding stored, or the empty slot where it would go.
    private static int Find(Slot[] slots, ulong stored)
    {
        int mask = slots.Length - 1;
        int at = (int)stored & mask;
        while (slots[at].Hash != 0 && slots[at].Hash != stored)
        {
            at = (at + 1) & mask;
        }

        return at;
    }

    private void Grow()
    {
        Slot[] grown = new Slot[_slots.Length * 2];
        foreach (Slot slot in _slots)
        {
            if (slot.Hash != 0)
            {
                grown[Find(grown, slot.Hash)] = slot;
            }
        }

        _slots = grown;
    }

    private readonly record struct Slot(ulong Hash, WireSeries Series);
}
