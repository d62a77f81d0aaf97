using Banyan.Storage.Columns;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Grains.Queries;

/// <summary>
/// One row a shard returned, as the query's merge, ordering and aggregation steps handle it: its keys, and its values
/// read by column name from the shard's columnar batch (no copy per row).
/// </summary>
/// <param name="Group">The group the row came from (element ids and series ids are per group).</param>
/// <param name="Batch">The shard's rows.</param>
/// <param name="Index">The row's index in <paramref name="Batch"/>.</param>
internal readonly record struct ResultRow(string Group, WriteBatch Batch, int Index)
{
    /// <summary>The series id.</summary>
    public ulong SeriesId => Batch.SeriesIds[Index];

    /// <summary>The timestamp, nanoseconds since the Unix epoch.</summary>
    public long Timestamp => Batch.Timestamps[Index];

    /// <summary>The measure version, or the stream element id bits.</summary>
    public long Version => Batch.Versions[Index];

    /// <summary>The value of column (<paramref name="family"/>, <paramref name="name"/>); null when the row lacks it.</summary>
    public ColumnValue Get(string? family, string name)
    {
        int column = Batch.FindColumn(family, name);
        return column < 0 ? ColumnValue.Null : Batch.Columns[column].GetValue(Index);
    }

    /// <summary>Every row of <paramref name="batch"/>.</summary>
    public static IEnumerable<ResultRow> All(string group, WriteBatch batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            yield return new ResultRow(group, batch, i);
        }
    }
}
