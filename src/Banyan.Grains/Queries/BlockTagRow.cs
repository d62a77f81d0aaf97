using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Values;

namespace Banyan.Grains.Queries;

/// <summary>
/// One row of a decoded block as the engine's criteria evaluator sees it: a tag by name (BanyanDB's conditions name a
/// tag without its family; tag names are unique within a stream or measure), read from the block's column of that
/// family. A tag the block has no column for is absent (null).
/// </summary>
internal sealed class BlockTagRow(QuerySubject subject) : ITagRow
{
    private Block? _block;
    private int _row;

    /// <summary>Points the row at row <paramref name="row"/> of <paramref name="block"/>.</summary>
    public void Reset(Block block, int row)
    {
        _block = block;
        _row = row;
    }

    /// <inheritdoc/>
    public TagValue? GetTag(string name)
    {
        if (_block is null || !subject.TryGetTag(name, out string family, out _))
        {
            return null;
        }

        ColumnBuffer? column = _block.FindColumn(family, name);
        return column is null || column.IsNull(_row) ? null : ToTagValue(column.GetValue(_row));
    }

    /// <summary>The engine tag value of a non-null column value.</summary>
    public static TagValue ToTagValue(in ColumnValue value) => value.Type switch
    {
        ColumnValueType.String => TagValue.FromString((string)value.Reference!),
        ColumnValueType.Int64 => TagValue.FromInt64(value.Int64Value),
        ColumnValueType.Binary => TagValue.FromBinary((byte[])value.Reference!),
        ColumnValueType.Timestamp => TagValue.FromTimestampNanos(value.Int64Value),
        ColumnValueType.StringArray => TagValue.FromStringArray((string[])value.Reference!),
        ColumnValueType.Int64Array => TagValue.FromInt64Array((long[])value.Reference!),
        _ => TagValue.Null,
    };
}
