using System.Collections.Concurrent;

namespace Banyan.Grains.TopN;

/// <summary>
/// The stored TopN lists that earlier queries read, of every shard of the silo, by (shard folder, series, window start,
/// version). A stored list never changes: a newer flush of a window is a row with a higher version
/// (<c>ShardTopN.NextVersion</c>: above every version stored before, and at least the clock's nanoseconds, so a group
/// deleted and created again does not repeat the versions of its old folder), and a row replayed from the WAL is the
/// same row. So a query that finds a row's key here takes the list without reading the row again, which for an hour of
/// 10 s windows was most of the query's allocation: each list's block decompressed, decoded and copied out, about 30 KB
/// a list (docs/benchmarks.md, "TopN lists kept between queries").
/// </summary>
/// <remarks>
/// One per silo (<see cref="ShardTopNListCache"/>), so its bound holds for the process however many shards it opens.
/// Bounded by the lists' bytes: an addition that takes the total past <see cref="CapacityBytes"/> empties the cache
/// first (the lists of the range being read are added again by that query), so the cache never holds more than its
/// capacity and a working set larger than it costs what every query cost before. Lookups take no lock. A list joins
/// with its items as entity ids of <see cref="Entities"/> (<see cref="TopNInternedList"/>), whose arrays count in its
/// size; the table's entities count against the capacity too, and emptying the cache starts a new table.
/// </remarks>
internal sealed class TopNListCache(long capacityBytes)
{
    private readonly ConcurrentDictionary<(string Shard, ulong Series, long Window, long Version), TopNStoredList> _lists = new();
    private readonly object _gate = new(); // guards additions, clearing and _bytes
    private long _bytes;
    private TopNEntityTable _entities = new();

    /// <summary>The most list bytes kept.</summary>
    public long CapacityBytes { get; } = capacityBytes > 0 ? capacityBytes : throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, "the capacity must be positive");

    /// <summary>Lists kept.</summary>
    public int Count => _lists.Count;

    /// <summary>The table the kept lists' entity ids are of (a new one each time the cache empties).</summary>
    public TopNEntityTable Entities => Volatile.Read(ref _entities);

    /// <summary>The list of series <paramref name="series"/> in the shard at <paramref name="shard"/> (its folder) for the window starting at <paramref name="window"/> at <paramref name="version"/>, if kept.</summary>
    public bool TryGet(string shard, ulong series, long window, long version, out TopNStoredList list)
        => _lists.TryGetValue((shard, series, window, version), out list!);

    /// <summary>
    /// Keeps <paramref name="list"/> of series <paramref name="series"/> in the shard at <paramref name="shard"/>, with its
    /// items interned (<see cref="TopNStoredList.Interned"/>, set before the list is kept); a list larger than the
    /// capacity is not kept. Walks the list's bytes once, so their damage surfaces here.
    /// </summary>
    /// <exception cref="Banyan.Storage.StorageCorruptionException">The list's bytes are damaged; it is not kept.</exception>
    public void Add(string shard, ulong series, TopNStoredList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.Bytes.Length > CapacityBytes)
        {
            return;
        }

        TopNInternedList interned = TopNInternedList.Of(list.Bytes, list.Where, Entities);
        long size = list.Bytes.Length + interned.Bytes;
        if (size > CapacityBytes)
        {
            return;
        }

        lock (_gate)
        {
            // The table's entities count against the capacity too (queries intern the entities of lists still in memory).
            if (_bytes + size + _entities.Bytes > CapacityBytes)
            {
                _lists.Clear();
                _bytes = 0;
                Volatile.Write(ref _entities, new TopNEntityTable());
                interned = TopNInternedList.Of(list.Bytes, list.Where, _entities);
            }

            list.Interned = interned;
            if (_lists.TryAdd((shard, series, list.WindowStart, list.Version), list))
            {
                _bytes += size;
            }
        }
    }
}
