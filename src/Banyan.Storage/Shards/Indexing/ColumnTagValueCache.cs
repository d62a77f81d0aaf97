using Banyan.Storage.Bytes;
using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>
/// Converts the rows of one column to <see cref="TagValue"/>s, reusing the value already made for
/// equal raw bytes or numbers. Tags are mostly low-cardinality (status codes, hosts, methods), so a
/// batch allocates one value per distinct value instead of one per row. <see cref="TagValue"/> is
/// immutable, which makes sharing safe.
/// </summary>
internal sealed class ColumnTagValueCache(ColumnBuffer column)
{
    // A column of unique values (ids, messages) would only fill the cache; past this many entries,
    // values are converted without it.
    private const int MaxEntries = 4096;

    private readonly Dictionary<byte[], TagValue> _byBytes = new(ByteArrayComparer.Instance);
    private readonly Dictionary<long, TagValue> _byNumber = [];

    public ColumnBuffer Column => column;

    /// <summary>The value at <paramref name="row"/>, or null for a null row.</summary>
    public TagValue? Get(int row)
    {
        if (column.IsNull(row))
        {
            return null;
        }

        if (ColumnValueTypes.IsBytes(column.Type))
        {
            Dictionary<byte[], TagValue>.AlternateLookup<ReadOnlySpan<byte>> lookup = _byBytes.GetAlternateLookup<ReadOnlySpan<byte>>();
            ReadOnlySpan<byte> bytes = column.GetBytes(row);
            if (lookup.TryGetValue(bytes, out TagValue? cached))
            {
                return cached;
            }

            TagValue made = ColumnTagValues.Get(column, row)!;
            if (_byBytes.Count < MaxEntries)
            {
                lookup[bytes] = made;
            }

            return made;
        }

        long number = column.GetInt64(row);
        if (_byNumber.TryGetValue(number, out TagValue? n))
        {
            return n;
        }

        TagValue value = ColumnTagValues.Get(column, row)!;
        if (_byNumber.Count < MaxEntries)
        {
            _byNumber[number] = value;
        }

        return value;
    }
}
