using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>Turns values of write-batch columns (<see cref="ColumnBuffer"/>) into the <see cref="TagValue"/> the index and criteria use.</summary>
public static class ColumnTagValues
{
    /// <summary>True when a column of <paramref name="type"/> can hold a tag value (every type but float64, which only measure fields use).</summary>
    public static bool IsTagType(ColumnValueType type) => type != ColumnValueType.Float64;

    /// <summary>The value at <paramref name="row"/>, or null when the row holds null (an absent tag).</summary>
    /// <exception cref="ArgumentException">The column is float64, which has no tag representation.</exception>
    public static TagValue? Get(ColumnBuffer column, int row)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.IsNull(row))
        {
            return null;
        }

        return column.Type switch
        {
            ColumnValueType.Int64 => TagValue.FromInt64(column.GetInt64(row)),
            ColumnValueType.Timestamp => TagValue.FromTimestampNanos(column.GetInt64(row)),
            ColumnValueType.String => TagValue.FromString(column.GetString(row)!),
            ColumnValueType.Binary => TagValue.FromBinary(column.GetBytes(row)),
            ColumnValueType.StringArray => TagValue.FromStringArray(column.GetStringArray(row)!),
            ColumnValueType.Int64Array => TagValue.FromInt64Array(column.GetInt64Array(row)!),
            _ => throw new ArgumentException($"column '{column.Family}.{column.Name}' is {column.Type}, which cannot be an indexed or entity tag", nameof(column)),
        };
    }

    /// <summary>Appends the raw bytes of the value at <paramref name="row"/> (with its null-ness and type) to <paramref name="hash"/>, allocating nothing.</summary>
    internal static void AppendTo(System.IO.Hashing.XxHash64 hash, ColumnBuffer column, int row)
    {
        Span<byte> head = stackalloc byte[9];
        if (column.IsNull(row))
        {
            head[0] = 0;
            hash.Append(head[..1]);
            return;
        }

        head[0] = (byte)(1 + (int)column.Type);
        if (ColumnValueTypes.IsBytes(column.Type))
        {
            ReadOnlySpan<byte> bytes = column.GetBytes(row);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(head[1..], bytes.Length);
            hash.Append(head[..5]);
            hash.Append(bytes);
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(head[1..], column.GetInt64(row));
            hash.Append(head);
        }
    }
}
