using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards.Indexing;

/// <summary>A row of a decoded <see cref="Block"/> seen as tags (columns of a tag family) by residual filters; reused across rows.</summary>
internal sealed class BlockTagRow : ITagRow
{
    private Block? _block;
    private int _row;

    public void Set(Block block, int row)
    {
        _block = block;
        _row = row;
    }

    public TagValue? GetTag(string name)
    {
        IReadOnlyList<ColumnBuffer> columns = _block!.Columns;
        for (int i = 0; i < columns.Count; i++)
        {
            ColumnBuffer c = columns[i];
            if (c.Family is not null && c.Name == name && ColumnTagValues.IsTagType(c.Type))
            {
                return ColumnTagValues.Get(c, _row);
            }
        }

        return null;
    }

    /// <summary>Every non-null tag of the row, by name (for query results).</summary>
    public Dictionary<string, TagValue> ToDictionary()
    {
        IReadOnlyList<ColumnBuffer> columns = _block!.Columns;
        var tags = new Dictionary<string, TagValue>(columns.Count, StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++)
        {
            ColumnBuffer c = columns[i];
            if (c.Family is not null && ColumnTagValues.IsTagType(c.Type) && ColumnTagValues.Get(c, _row) is { } value)
            {
                tags[c.Name] = value;
            }
        }

        return tags;
    }
}
