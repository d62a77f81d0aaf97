using Banyan.Grains.Writes;
using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Values;

namespace Banyan.Grains.Shards;

/// <summary>
/// Reads the rows of one subject of a shard that holds several (all streams or measures of its group share the engine
/// shard). A row belongs to the subject when its series id is the hash of the subject and the row's own entity values
/// (<see cref="SeriesKey"/>): checked once per series, so the cost is per series, not per row.
/// </summary>
/// <remarks>
/// In a shard whose subjects are configured in the engine (<paramref name="indexed"/>), the engine's series index knows
/// each series' subject: the read asks the engine for the subject's rows and skips the check.
/// </remarks>
internal sealed class SubjectRowReader(string subject, (string Family, string Tag)[] entity, bool indexed = false)
{
    private readonly Dictionary<ulong, bool> _ofSubject = [];

    /// <summary>
    /// The subject's rows of <paramref name="shard"/> with <paramref name="minTimestamp"/> ≤ timestamp ≤
    /// <paramref name="maxTimestamp"/>, every column, at most <paramref name="maxRows"/>.
    /// </summary>
    public (WriteBatch Rows, bool Truncated) Read(Shard shard, long minTimestamp, long maxTimestamp, int maxRows)
        => Read(shard, minTimestamp, maxTimestamp, maxRows, filter: null, columns: null);

    /// <summary>
    /// The subject's rows of <paramref name="shard"/> in the time range that <paramref name="filter"/> accepts (all
    /// when null), with only <paramref name="columns"/> (every column when null; a listed column no row has is left
    /// out), at most <paramref name="maxRows"/>. <paramref name="seriesIds"/> (ascending) restricts the read to those
    /// series' blocks; null reads every series. <paramref name="projection"/> (default: every column) is what the scan
    /// decodes: it must hold the entity tags and whatever <paramref name="filter"/> reads.
    /// </summary>
    public (WriteBatch Rows, bool Truncated) Read(Shard shard, long minTimestamp, long maxTimestamp, int maxRows, Func<Block, int, bool>? filter, IReadOnlyCollection<(string? Family, string Name)>? columns, ulong[]? seriesIds = null, ColumnProjection? projection = null)
    {
        WriteBatch rows = new(shard.Kind);
        SeriesTimeFilter range = new(seriesIds, minTimestamp, maxTimestamp);
        using ShardScan scan = indexed ? shard.Scan(subject, range, projection ?? ColumnProjection.All) : shard.Scan(range, projection ?? ColumnProjection.All);
        HashSet<(string?, string)>? wanted = columns is null ? null : [.. columns];

        // Which output column each of the current block's columns goes to (-1: not wanted), worked out once per block
        // layout rather than once per row: the string-keyed lookups are the costly part of copying a row.
        Block? mappedBlock = null;
        int mappedLayout = -1;
        int[] targets = [];
        while (scan.MoveNext())
        {
            Block block = scan.CurrentBlock;
            int row = scan.CurrentRow;
            if ((!indexed && !BelongsToSubject(block, row)) || (filter is not null && !filter(block, row)))
            {
                continue;
            }

            if (rows.Count == maxRows)
            {
                return (rows, true);
            }

            if (!ReferenceEquals(block, mappedBlock) || block.Layout != mappedLayout)
            {
                // New columns first (they read null for the rows already read).
                targets = new int[block.Columns.Count];
                for (int c = 0; c < targets.Length; c++)
                {
                    ColumnBuffer column = block.Columns[c];
                    if (wanted is not null && !wanted.Contains((column.Family, column.Name)))
                    {
                        targets[c] = -1;
                        continue;
                    }

                    int index = rows.FindColumn(column.Family, column.Name);
                    targets[c] = index >= 0 ? index : rows.AddColumn(column.Family, column.Name, column.Type);
                }

                (mappedBlock, mappedLayout) = (block, block.Layout);
            }

            int before = rows.Count;
            rows.AppendKeys([scan.SeriesId], [scan.Timestamp], [scan.Version]);
            for (int c = 0; c < targets.Length; c++)
            {
                if (targets[c] >= 0)
                {
                    rows.Columns[targets[c]].AppendFrom(block.Columns[c], row);
                }
            }

            // Columns this block lacks read null for this row. Indexed, not enumerated: an enumerator of the column list
            // is an object per row (4 % of what a query of raw points allocated).
            IReadOnlyList<ColumnBuffer> outputs = rows.Columns;
            for (int c = 0; c < outputs.Count; c++)
            {
                if (outputs[c].Count == before)
                {
                    outputs[c].AppendNull();
                }
            }
        }

        return (rows, false);
    }

    private bool BelongsToSubject(Block block, int row)
    {
        if (_ofSubject.TryGetValue(block.SeriesId, out bool known))
        {
            return known;
        }

        bool belongs = true;
        TagValue[] values = new TagValue[entity.Length];
        for (int i = 0; i < entity.Length && belongs; i++)
        {
            ColumnBuffer? column = block.FindColumn(entity[i].Family, entity[i].Tag);
            if (column is null || column.IsNull(row) || column.Type is ColumnValueType.Float64 or ColumnValueType.StringArray or ColumnValueType.Int64Array)
            {
                belongs = false;
                break;
            }

            values[i] = ValueTypes.ToEntityValue(column.GetValue(row));
        }

        belongs = belongs && SeriesKey.ComputeSeriesId(subject, values) == block.SeriesId;
        _ofSubject[block.SeriesId] = belongs;
        return belongs;
    }
}
