using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Banyan.Storage.Encodings;
using Banyan.Storage.Query;

namespace Banyan.Storage.Parts;

/// <summary>
/// Blocks of disk parts decoded for one field (keys and that field's column), kept for the next read of the same block.
/// An aggregation over a short range decodes every block that straddles the range whole; a chart asks for many short
/// ranges of the same blocks (BanyanDB's query has no time buckets, so a chart of 12 buckets is 12 queries, or 24 for a
/// mean), and without this each of them decoded the same blocks again. Parts are immutable, so an entry never goes
/// stale; a part's entries are dropped when the part is freed (<see cref="Forget"/>). Bounded by the bytes the decoded
/// rows hold (<see cref="Block.UncompressedSize"/> plus a fixed overhead per entry). Thread-safe; a block handed out is
/// shared and must only be read.
/// </summary>
/// <remarks>
/// A hit takes no lock: the 24 requests of a chart read the same few hundred blocks on every core at once, and a single
/// lock around a least-recently-used list made the cores spin on it (14 % of a silo's CPU answering them). So recency is
/// approximated the way a CLOCK cache does it: a hit only marks its entry as used, and eviction, under the lock that
/// also guards additions, walks the entries in the order they were added, giving a used entry a second pass (its mark
/// cleared) and evicting the first one not used since its last pass.
/// </remarks>
public sealed class DecodedBlockCache
{
    // Objects and array headers of one entry beside its rows (Block, its lists, a ColumnBuffer, the node and the key).
    private const long EntryOverheadBytes = 512;

    private readonly ConcurrentDictionary<Key, Entry> _entries = new(KeyComparer.Instance);
    private readonly object _lock = new(); // guards _clock, _bytes, _forgotten and every removal from _entries
    private readonly Queue<Entry> _clock = new(); // every entry added and not yet passed by the eviction walk, oldest first
    private long _bytes;
    private int _forgotten; // entries in _clock already dropped by Forget
    private readonly Telemetry.StripedCounter _hits = new();
    private readonly Telemetry.StripedCounter _misses = new();

    /// <summary>A cache holding at most <paramref name="capacityBytes"/> of decoded rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not positive.</exception>
    public DecodedBlockCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    /// <summary>The bound on <see cref="Bytes"/>.</summary>
    public long CapacityBytes { get; }

    /// <summary>The bytes the cached entries are counted as.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Cached entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Reads answered from the cache since it was made.</summary>
    public long Hits => _hits.Value;

    /// <summary>Reads that decoded the block since the cache was made.</summary>
    public long Misses => _misses.Value;

    /// <summary>
    /// The block of <paramref name="header"/> with its keys and only <paramref name="field"/> decoded: the cached one, or
    /// read from <paramref name="part"/> (with <paramref name="fieldOnly"/>, the projection of that one field) and cached.
    /// The block returned may be shared with other readers: read it, never change it.
    /// </summary>
    /// <exception cref="ArgumentException">The header belongs to another part.</exception>
    /// <exception cref="StorageCorruptionException">The block's bytes are damaged (nothing is cached).</exception>
    public Block ReadField(PartReader part, BlockHeader header, string field, ColumnProjection fieldOnly, DecodeScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(field);
        // The header's own slot first: the entry last found or added for it, when it is this cache's and of this field
        // (a chart's requests ask for one field of each block). No hashing and no table walk: on a chart's requests,
        // the lookups in the table were a sixth of the summaries' time.
        if (header.DecodedEntry is { } slot && ReferenceEquals(slot.Cache, this) && string.Equals(slot.Key.Field, field, StringComparison.Ordinal) && slot.Block is { } slotted)
        {
            if (!slot.Used)
            {
                slot.Used = true;
            }

            _hits.Increment();
            return slotted;
        }

        var key = new Key(header, field);
        if (_entries.TryGetValue(key, out Entry? cached) && cached.Block is { } hit)
        {
            header.DecodedEntry = cached;
            if (!cached.Used)
            {
                cached.Used = true; // written only when it changes: a hot entry's line stays shared between the cores
            }

            _hits.Increment();
            return hit;
        }

        _misses.Increment();

        // Decoded outside the lock: readers of other blocks go on meanwhile. Two readers missing the same block both
        // decode it and the second keeps the first's entry.
        var block = new Block();
        part.ReadBlock(header, fieldOnly, block, scratch);
        long size = block.UncompressedSize + EntryOverheadBytes;
        if (size > CapacityBytes)
        {
            return block;
        }

        var entry = new Entry(this, key, block, size);
        lock (_lock)
        {
            if (!_entries.TryAdd(key, entry))
            {
                return _entries.TryGetValue(key, out Entry? raced) && raced.Block is { } first ? first : block;
            }

            header.DecodedEntry = entry;
            _clock.Enqueue(entry);
            _bytes += size;
            EvictOverCapacity();
        }

        return block;
    }

    /// <summary>Drops every entry of <paramref name="part"/> (it was freed: merged away or its segment dropped).</summary>
    public void Forget(IPartReader part)
    {
        ArgumentNullException.ThrowIfNull(part);
        lock (_lock)
        {
            foreach (KeyValuePair<Key, Entry> pair in _entries)
            {
                if (ReferenceEquals(pair.Key.Header.Owner, part))
                {
                    Remove(pair.Value);
                    _forgotten++;
                }
            }

            // The walk skips forgotten entries when it reaches them; a cache that stays under its bound never walks, so
            // the queue is compacted once they are most of it.
            if (_forgotten > _clock.Count / 2)
            {
                int live = _clock.Count;
                for (int i = 0; i < live; i++)
                {
                    Entry entry = _clock.Dequeue();
                    if (!entry.Removed)
                    {
                        _clock.Enqueue(entry);
                    }
                }

                _forgotten = 0;
            }
        }
    }

    // Under _lock. Each entry passed while used gets its mark cleared and goes to the back; one that readers keep marking
    // could keep the walk going, so after two full turns the walk evicts whatever comes next.
    private void EvictOverCapacity()
    {
        int secondChances = 2 * _clock.Count;
        while (_bytes > CapacityBytes && _clock.TryDequeue(out Entry? oldest))
        {
            if (oldest.Removed)
            {
                _forgotten--;
                continue;
            }

            if (oldest.Used && secondChances-- > 0)
            {
                oldest.Used = false;
                _clock.Enqueue(oldest);
                continue;
            }

            Remove(oldest);
        }
    }

    // Under _lock. A reader that found the entry just before keeps the block it got; later lookups miss. The block is let
    // go here because a forgotten entry may wait in the queue a while.
    private void Remove(Entry entry)
    {
        entry.Removed = true;
        entry.Block = null;
        _entries.TryRemove(new KeyValuePair<Key, Entry>(entry.Key, entry));
        _bytes -= entry.Bytes;
    }

    // The header by reference (a header belongs to one part and is never rebuilt while the part is open).
    internal readonly record struct Key(BlockHeader Header, string Field);

    private sealed class KeyComparer : IEqualityComparer<Key>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(Key x, Key y) => ReferenceEquals(x.Header, y.Header) && string.Equals(x.Field, y.Field, StringComparison.Ordinal);

        public int GetHashCode(Key key) => HashCode.Combine(RuntimeHelpers.GetHashCode(key.Header), key.Field.Length, key.Field.Length > 0 ? key.Field[0] : '\0');
    }

    /// <summary>
    /// One cached block. A block header keeps the entry last found or added for it (<see cref="BlockHeader.DecodedEntry"/>)
    /// so that the next read of it skips the table; an entry evicted or forgotten has no block any more, and a header
    /// holding it reads through the table again.
    /// </summary>
    internal sealed class Entry(DecodedBlockCache cache, Key key, Block block, long bytes)
    {
        private Block? _block = block;

        /// <summary>The cache the entry belongs to (a header may be read through more than one).</summary>
        public DecodedBlockCache Cache { get; } = cache;

        public Key Key { get; } = key;

        public long Bytes { get; } = bytes;

        // Null once removed. Volatile: set on the adding thread, read by lock-free readers.
        public Block? Block
        {
            get => Volatile.Read(ref _block);
            set => Volatile.Write(ref _block, value);
        }

        // Set by a hit without a lock; cleared by the eviction walk. A lost update only costs or gives one extra pass.
        public bool Used { get; set; }

        // Under the cache's lock.
        public bool Removed { get; set; }
    }
}
