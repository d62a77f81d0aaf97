using Banyan.Grains.Queries;
using Banyan.Storage.Columns;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// One row of a write batch as the engine's criteria evaluator sees it (a tag by name, read from the batch's column of
/// that tag's family), so a TopN aggregation's <c>criteria</c> filter written points with the query path's semantics.
/// Column positions are looked up once per batch.
/// </summary>
internal sealed class WriteBatchTagRow(QuerySubject subject, WriteBatch batch) : ITagRow
{
    private readonly Dictionary<string, int> _columnOf = new(StringComparer.Ordinal);

    /// <summary>The row read.</summary>
    public int Row { get; set; }

    /// <inheritdoc/>
    public TagValue? GetTag(string name)
    {
        int index = ColumnOf(name);
        if (index < 0)
        {
            return null;
        }

        ColumnBuffer column = batch.Columns[index];
        return column.IsNull(Row) ? null : BlockTagRow.ToTagValue(column.GetValue(Row));
    }

    private int ColumnOf(string name)
    {
        if (!_columnOf.TryGetValue(name, out int index))
        {
            index = subject.TryGetTag(name, out string family, out _) ? batch.FindColumn(family, name) : -1;
            _columnOf[name] = index;
        }

        return index;
    }
}
