using System.IO.Hashing;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Grains.Writes;

/// <summary>
/// The series id and routing hash of the entities a write grain has seen, by their values: the same series arrive
/// again and again (every scrape of every metric), and computing both means two key encodings and two xxHash64 runs
/// per point. A hit costs one hash of the values already parsed and a comparison with the remembered ones.
/// </summary>
/// <remarks>
/// One per <see cref="SubjectLayout"/> (one subject at one schema revision and spec), used on its grain's turn only,
/// so not thread-safe. Bounded: when full it starts over. Values are compared in full on every hit, so a hash collision
/// only costs a computation, never a wrong id.
/// </remarks>
internal sealed class SeriesIdCache(string subject, int[] entityColumns, int[]? shardingColumns)
{
    private const int MaxEntries = 1 << 16;

    private readonly Dictionary<ulong, Entry> _entries = [];

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

        Misses++;
        TagValue[] entity = SubjectLayout.ValuesOf(row, entityColumns);
        ulong seriesId = SeriesKey.ComputeSeriesId(subject, entity);
        ulong routing = ShardRouting.ComputeRoutingHash(subject, shardingColumns is { } sharding ? SubjectLayout.ValuesOf(row, sharding) : entity);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[hash] = new Entry(Copy(row, entityColumns), shardingColumns is null ? null : Copy(row, shardingColumns), seriesId, routing);
        return (seriesId, routing);
    }

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
