using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Unicode;
using Banyan.Grains.Writes.Wire;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Grains.Writes;

/// <summary>
/// The series id and routing hash of the entities a write grain has seen, by their values: the same series arrive
/// again and again (every scrape of every metric), and computing both means two key encodings and two xxHash64 runs
/// per point. A hit costs one hash of the values already parsed and a comparison with the remembered ones; for rows
/// read from the wire, a series that follows the one before as it did last time costs the comparison alone (writers
/// send their series in the same order scrape after scrape: the hash and the lookup were about 4 % of a running silo's
/// write phase, docs/benchmarks.md, "Series guessed from the order they come in").
/// </summary>
/// <remarks>
/// One per <see cref="SubjectLayout"/> (one subject at one schema revision and spec), used on its grain's turn only,
/// so not thread-safe. Bounded: when full it starts over. Values are compared in full on every hit, so a hash collision
/// only costs a computation, never a wrong id.
/// <para>
/// The entities read from the wire are kept end to end in one array, the arena (<see cref="Arena"/>, offsets in
/// <see cref="WireSeries"/>), whose written bytes are never changed: a sub-batch's entity tag rows point at them
/// (<see cref="Banyan.Storage.Columns.ColumnBuffer.AppendSharedBytes"/>) instead of copying a series' tags into every
/// row (about a quarter of the bytes the write path allocated). It starts small (a measure with a few series holds a
/// few kilobytes) and grows by doubling into a new array; the batches pointing into an old one keep it.
/// </para>
/// </remarks>
internal sealed class SeriesIdCache(string subject, int[] entityColumns, int[]? shardingColumns)
{
    private const int MaxEntries = 1 << 16;

    // The arena's first size; it doubles when full.
    private const int FirstArenaBytes = 4096;

    private readonly Dictionary<ulong, Entry> _entries = [];
    private readonly Dictionary<ulong, WireSeries> _wireEntries = [];
    private byte[] _wireKey = new byte[256];
    private byte[] _arena = [];
    private WireSeries? _last; // the series resolved last from the wire
    private int _arenaUsed;

    /// <summary>The array the entities resolved from the wire lie in (see the remarks); replaced, never changed, as it grows.</summary>
    public byte[] Arena => _arena;

    /// <summary>
    /// The series expected next from the wire: the one that followed the series resolved last, the last time round
    /// (null when there is none). The decoder takes its recorded families (<see cref="WireSeries.Families"/>) when the
    /// next point carries them.
    /// </summary>
    public WireSeries? Predicted => _last?.Next;

    /// <summary>Entries computed (misses).</summary>
    public long Misses { get; private set; }

    /// <summary>The series id and routing hash (<see cref="ShardRouting.ComputeRoutingHash"/>) of the entity in <paramref name="row"/>.</summary>
    public (ulong SeriesId, ulong RoutingHash) Resolve(ColumnValue[] row)
    {
        ulong hash = HashOf(row);
        if (_entries.TryGetValue(hash, out Entry? known) && known.Matches(row, entityColumns, shardingColumns))
        {
            return (known.SeriesId, known.RoutingHash);
        }

        (ulong seriesId, ulong routing) = Compute(row);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[hash] = new Entry(Copy(row, entityColumns), shardingColumns is null ? null : Copy(row, shardingColumns), seriesId, routing);
        return (seriesId, routing);
    }

    /// <summary>
    /// As <see cref="Resolve(ColumnValue[])"/>, for a row decoded from wire bytes (<paramref name="point"/> holds its
    /// strings): the entity's bytes are the key, so a hit decodes no string. The answer also tells where the entity's
    /// string values lie in the arena. Null when the entity is new and one of its strings is not valid UTF-8: the wire
    /// decoder leaves that check to this method, done once per series (a known series has the bytes checked when it
    /// was first met; for 3 entity strings a point, the check was about 1 % of a running silo's write phase).
    /// </summary>
    public WireSeries? Resolve(WireRow row, ReadOnlySpan<byte> point)
    {
        // The decoder found the expected series' families in the point's bytes: every entity and sharding-key value is
        // the series' (they are tags), already checked when the series was first met.
        if (row.FamiliesOf is { } carried && ReferenceEquals(carried, Predicted))
        {
            _last = carried;
            return carried;
        }

        int length = WireKeyLength(row, entityColumns) + (shardingColumns is null ? 0 : WireKeyLength(row, shardingColumns));
        if (_wireKey.Length < length)
        {
            _wireKey = new byte[Math.Max(length, _wireKey.Length * 2)];
        }

        Span<byte> key = _wireKey.AsSpan(0, length);
        int written = WriteWireKey(row, point, entityColumns, key);
        if (shardingColumns is not null)
        {
            WriteWireKey(row, point, shardingColumns, key[written..]);
        }

        // The series that followed the last one the previous time: writers send their series in the same order scrape
        // after scrape, so this is usually the one, known by comparing the key alone (no hash, no lookup).
        if (_last?.Next is { } predicted && key.SequenceEqual(_arena.AsSpan(predicted.KeyStart, predicted.KeyLength)))
        {
            _last = predicted;
            return predicted;
        }

        ulong hash = XxHash3.HashToUInt64(key);
        if (_wireEntries.TryGetValue(hash, out WireSeries? known) && key.SequenceEqual(_arena.AsSpan(known.KeyStart, known.KeyLength)))
        {
            Follow(known);
            return known;
        }

        if (!IsValidUtf8(row, point, entityColumns) || (shardingColumns is not null && !IsValidUtf8(row, point, shardingColumns)))
        {
            return null;
        }

        var values = new ColumnValue[row.Kinds.Length];
        foreach (int column in entityColumns)
        {
            values[column] = WireValue(row, point, column);
        }

        if (shardingColumns is not null)
        {
            foreach (int column in shardingColumns)
            {
                values[column] = WireValue(row, point, column);
            }
        }

        (ulong seriesId, ulong routing) = Compute(values);
        if (_wireEntries.Count >= MaxEntries)
        {
            _wireEntries.Clear();
            _arena = []; // batches still pointing into the old one keep it
            _arenaUsed = 0;
            _last = null; // the series before were keyed in the old arena: none may be predicted again
        }

        WireSeries series = Remember(key, row, seriesId, routing);
        _wireEntries[hash] = series;
        Follow(series);
        return series;
    }

    // Records that series came after the last one resolved, for the next time round.
    private void Follow(WireSeries series)
    {
        if (_last is not null)
        {
            _last.Next = series;
        }

        _last = series;
    }

    // The key into the arena, and where each entity string's bytes lie in it (after the kind byte and the 4-byte length
    // WriteWireKey put before them).
    private WireSeries Remember(ReadOnlySpan<byte> key, WireRow row, ulong seriesId, ulong routing)
    {
        if (_arena.Length - _arenaUsed < key.Length)
        {
            // A new, larger array with the same bytes at the same offsets: the entries stay valid, and the batches that
            // point into the old array keep it (and see the same bytes there).
            byte[] grown = new byte[Math.Max(Math.Max(FirstArenaBytes, _arena.Length * 2), _arenaUsed + key.Length)];
            _arena.AsSpan(0, _arenaUsed).CopyTo(grown);
            _arena = grown;
        }

        int keyStart = _arenaUsed;
        key.CopyTo(_arena.AsSpan(keyStart));
        _arenaUsed += key.Length;
        int[] valueStarts = new int[row.Kinds.Length];
        Array.Fill(valueStarts, -1);
        int at = keyStart;
        foreach (int column in entityColumns)
        {
            if (row.Kinds[column] == WireValueKind.Utf8)
            {
                valueStarts[column] = at + 5;
                at += 5 + row.Lengths[column];
            }
            else
            {
                at += 9;
            }
        }

        return new WireSeries(keyStart, key.Length, valueStarts, seriesId, routing);
    }

    private (ulong SeriesId, ulong RoutingHash) Compute(ColumnValue[] row)
    {
        Misses++;
        TagValue[] entity = SubjectLayout.ValuesOf(row, entityColumns);
        ulong seriesId = SeriesKey.ComputeSeriesId(subject, entity);
        ulong routing = ShardRouting.ComputeRoutingHash(subject, shardingColumns is { } sharding ? SubjectLayout.ValuesOf(row, sharding) : entity);
        return (seriesId, routing);
    }

    // The key of an entity read from the wire: per value its kind, then 8 bytes of number or 4 of length and the
    // UTF-8 bytes, so two different entities never share a key.
    private static int WireKeyLength(WireRow row, int[] columns)
    {
        int length = 0;
        foreach (int column in columns)
        {
            length += 1 + (row.Kinds[column] == WireValueKind.Utf8 ? 4 + row.Lengths[column] : 8);
        }

        return length;
    }

    private static int WriteWireKey(WireRow row, ReadOnlySpan<byte> point, int[] columns, Span<byte> key)
    {
        int at = 0;
        foreach (int column in columns)
        {
            WireValueKind kind = row.Kinds[column];
            key[at++] = (byte)kind;
            if (kind == WireValueKind.Utf8)
            {
                BinaryPrimitives.WriteInt32LittleEndian(key[at..], row.Lengths[column]);
                point.Slice(row.Starts[column], row.Lengths[column]).CopyTo(key[(at + 4)..]);
                at += 4 + row.Lengths[column];
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(key[at..], row.Numbers[column]);
                at += 8;
            }
        }

        return at;
    }

    private static bool IsValidUtf8(WireRow row, ReadOnlySpan<byte> point, int[] columns)
    {
        foreach (int column in columns)
        {
            if (row.Kinds[column] == WireValueKind.Utf8 && !Utf8.IsValid(point.Slice(row.Starts[column], row.Lengths[column])))
            {
                return false;
            }
        }

        return true;
    }

    private static ColumnValue WireValue(WireRow row, ReadOnlySpan<byte> point, int column) => row.Kinds[column] switch
    {
        WireValueKind.Utf8 => ColumnValue.FromString(Encoding.UTF8.GetString(point.Slice(row.Starts[column], row.Lengths[column]))),
        WireValueKind.Int64 => ColumnValue.FromInt64(row.Numbers[column]),
        _ => throw new ArgumentException($"an entity value read from the wire cannot be {row.Kinds[column]}", nameof(row)),
    };

    private ulong HashOf(ColumnValue[] row)
    {
        ulong hash = 0;
        foreach (int column in entityColumns)
        {
            hash = Mix(hash, ValueHash(row[column]));
        }

        if (shardingColumns is not null)
        {
            foreach (int column in shardingColumns)
            {
                hash = Mix(hash, ValueHash(row[column]));
            }
        }

        return hash;
    }

    private static ulong Mix(ulong hash, ulong value) => unchecked((hash ^ value) * 0x9E3779B97F4A7C15UL) + (hash >> 29);

    private static ulong ValueHash(in ColumnValue value) => value.Reference switch
    {
        string text => unchecked((ulong)(uint)text.GetHashCode() | ((ulong)text.Length << 32)),
        byte[] bytes => XxHash3.HashToUInt64(bytes),
        _ => unchecked((ulong)value.Int64Value ^ ((ulong)value.Type << 56)),
    };

    private static ColumnValue[] Copy(ColumnValue[] row, int[] columns)
    {
        var values = new ColumnValue[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            values[i] = row[columns[i]];
        }

        return values;
    }

    private sealed record Entry(ColumnValue[] Entity, ColumnValue[]? Sharding, ulong SeriesId, ulong RoutingHash)
    {
        public bool Matches(ColumnValue[] row, int[] entityColumns, int[]? shardingColumns)
        {
            for (int i = 0; i < entityColumns.Length; i++)
            {
                if (!Entity[i].Equals(row[entityColumns[i]]))
                {
                    return false;
                }
            }

            if (shardingColumns is not null)
            {
                for (int i = 0; i < shardingColumns.Length; i++)
                {
                    if (!Sharding![i].Equals(row[shardingColumns[i]]))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}

/// <summary>
/// A series the <see cref="SeriesIdCache"/> resolved from wire bytes: its ids, and where its entity key and each entity
/// string lie in the cache's <see cref="SeriesIdCache.Arena"/>.
/// </summary>
/// <param name="keyStart">Where the key starts in the arena.</param>
/// <param name="keyLength">The key's length.</param>
/// <param name="valueStarts">Per column: where the column's entity string starts in the arena, or -1.</param>
/// <param name="seriesId">The series id.</param>
/// <param name="routingHash">The routing hash.</param>
/// <remarks>A class, not a record: <see cref="Next"/> links series into cycles, which a record's generated equality and
/// text would follow without end.</remarks>
internal sealed class WireSeries(int keyStart, int keyLength, int[] valueStarts, ulong seriesId, ulong routingHash)
{
    /// <summary>Where the key starts in the arena.</summary>
    public int KeyStart { get; } = keyStart;

    /// <summary>The key's length.</summary>
    public int KeyLength { get; } = keyLength;

    /// <summary>Per column of the layout: where the column's entity string starts in the arena, or -1 (not an entity string).</summary>
    public int[] ValueStarts { get; } = valueStarts;

    /// <summary>The series id.</summary>
    public ulong SeriesId { get; } = seriesId;

    /// <summary>The routing hash (<see cref="ShardRouting.ComputeRoutingHash"/>).</summary>
    public ulong RoutingHash { get; } = routingHash;

    /// <summary>The series resolved right after this one the last time (the cache's guess for the next time).</summary>
    public WireSeries? Next { get; set; }

    /// <summary>The tag families of a point of this series as the wire carried them and as they decoded; null until recorded.</summary>
    public WireTagFamilies? Families { get; set; }
}
