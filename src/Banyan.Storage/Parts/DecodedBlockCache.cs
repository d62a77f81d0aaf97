using Banyan.Storage.Encodings;
using Banyan.Storage.Query;

namespace Banyan.Storage.Parts;

/// <summary>
/// Blocks of disk parts decoded for one field (keys and that field's column), kept for the next read of the same block.
/// An aggregation over a short range decodes every block that straddles the range whole; a chart asks for many short
/// ranges of the same blocks (BanyanDB's query has no time buckets, so a chart of 12 buckets is 12 queries, or 24 for a
/// mean), and without this each of them decoded the same blocks again. Parts are immutable, so an entry never goes
/// stale; a part's entries are dropped when the part is freed (<see cref="Forget"/>). Bounded by the bytes the decoded
/// rows hold (<see cref="Block.UncompressedSize"/> plus a fixed overhead per entry), least recently used evicted first.
/// Thread-safe; a block handed out is shared and must only be read.
/// </summary>
public sealed class DecodedBlockCache
{
    // Objects and array headers of one entry beside its rows (Block, its lists, a ColumnBuffer, the node and the key).
    private const long EntryOverheadBytes = 512;

    private readonly object _lock = new();
    private readonly Dictionary<Key, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = []; // most recently used first
    private long _bytes;
    private long _hits;
    private long _misses;

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
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Reads answered from the cache since it was made.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Reads that decoded the block since the cache was made.</summary>
    public long Misses => Interlocked.Read(ref _misses);

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
        var key = new Key(header, field);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                _hits++;
                return node.Value.Block;
            }

            _misses++;
        }

        // Decoded outside the lock: readers of other blocks go on meanwhile. Two readers missing the same block both
        // decode it and the second keeps the first's entry.
        var block = new Block();
        part.ReadBlock(header, fieldOnly, block, scratch);
        long size = block.UncompressedSize + EntryOverheadBytes;
        if (size > CapacityBytes)
        {
            return block;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? raced))
            {
                return raced.Value.Block;
            }

            _entries.Add(key, _recency.AddFirst(new Entry(key, block, size)));
            _bytes += size;
            while (_bytes > CapacityBytes && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }
        }

        return block;
    }

    /// <summary>Drops every entry of <paramref name="part"/> (it was freed: merged away or its segment dropped).</summary>
    public void Forget(IPartReader part)
    {
        ArgumentNullException.ThrowIfNull(part);
        lock (_lock)
        {
            LinkedListNode<Entry>? node = _recency.First;
            while (node is not null)
            {
                LinkedListNode<Entry>? next = node.Next;
                if (ReferenceEquals(node.Value.Key.Header.Owner, part))
                {
                    Remove(node);
                }

                node = next;
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Bytes;
    }

    // The header by reference (a header belongs to one part and is never rebuilt while the part is open).
    private readonly record struct Key(BlockHeader Header, string Field);

    private sealed record Entry(Key Key, Block Block, long Bytes);
}
