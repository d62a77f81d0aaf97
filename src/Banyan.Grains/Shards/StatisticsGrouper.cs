using System.Collections.Immutable;
using Banyan.GrainInterfaces.Queries;
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
/// The groups <see cref="ShardGrouper"/> would make, answered from block statistics instead of rows, for the queries
/// that allow it: every group-by tag and every projected tag is an entity tag (so a series lies in one group and its
/// tags are its entity values, from the series index), no criteria beyond the entity patterns, only the aggregated
/// field projected, and an aggregation block statistics give exactly (MAX, MIN, COUNT; SUM and MEAN of an integer
/// field). A block wholly inside the range then costs its header, not its rows (<see cref="Shard.SummarizeField"/>).
/// </summary>
internal static class StatisticsGrouper
{
    /// <summary>
    /// The groups of <paramref name="series"/> over the range, each with its first row's keys and tags (no field: the
    /// caller shows the aggregate) and its partial aggregate; null when the statistics cannot answer exactly (the field
    /// changed type, the sum of a float field is needed, or an integer sum overflowed), so the caller reads rows. (A
    /// series with a timestamp in two parts is summarized row by row inside <see cref="Shard.SummarizeField"/>.)
    /// </summary>
    /// <param name="shard">The shard.</param>
    /// <param name="subject">The measure.</param>
    /// <param name="series">The selected series with their entity values, every one indexed.</param>
    /// <param name="entityTags">The measure's entity tags (family, name), in entity order.</param>
    /// <param name="tagColumns">The tag columns the answer needs (group-by and projection), all entity tags.</param>
    /// <param name="grouping">The grouping (its field is numeric).</param>
    /// <param name="minTimestamp">Inclusive lower bound.</param>
    /// <param name="maxTimestamp">Inclusive upper bound.</param>
    public static (WriteBatch Rows, ImmutableArray<PartialAggregate> Partials)? Group(
        Shard shard,
        string subject,
        IReadOnlyList<SeriesMatch> series,
        (string Family, string Tag)[] entityTags,
        IReadOnlyList<(string Family, string Tag)> tagColumns,
        ShardGrouping grouping,
        long minTimestamp,
        long maxTimestamp)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(grouping);
        string field = grouping.Field ?? throw new ArgumentException("the grouping aggregates no field", nameof(grouping));
        ulong[] ids = new ulong[series.Count];
        Dictionary<ulong, IReadOnlyList<TagValue>> entityOf = new(series.Count);
        for (int i = 0; i < series.Count; i++)
        {
            ids[i] = series[i].SeriesId;
            entityOf[series[i].SeriesId] = series[i].EntityValues;
        }

        Array.Sort(ids);
        List<SeriesFieldSummary>? summaries = shard.SummarizeField(subject, ids, minTimestamp, maxTimestamp, field);
        if (summaries is null)
        {
            return null;
        }

        // Where each answer column's value sits in the entity, and each group-by tag's column.
        int[] entityIndex = [.. tagColumns.Select(c => Array.FindIndex(entityTags, e => e.Family == c.Family && e.Tag == c.Tag))];
        int[] keyColumns = [.. grouping.GroupBy.Select(g => IndexOf(tagColumns, g.Family, g.Name))];
        Dictionary<string, int> groupOfKey = new(StringComparer.Ordinal);
        List<PartialAggregate> partials = [];
        List<(ulong Series, long Timestamp, ColumnValue[] Values)> firsts = [];
        foreach (SeriesFieldSummary summary in summaries)
        {
            // A float sum must be added row by row in order; an integer sum that overflowed lost its wrapped value.
            if (grouping.NeedsSum && (summary.Summary.Type == ColumnValueType.Float64 || summary.Summary.Int64SumOverflowed))
            {
                return null;
            }

            IReadOnlyList<TagValue> entity = entityOf[summary.SeriesId];
            ColumnValue[] values = [.. entityIndex.Select(e => ValueTypes.FromEntityValue(entity[e]))];
            string key = ShardGrouper.KeyOf(values, keyColumns);
            long timestamp = grouping.Descending ? summary.LastTimestamp : summary.FirstTimestamp;
            if (!groupOfKey.TryGetValue(key, out int group))
            {
                group = firsts.Count;
                groupOfKey[key] = group;
                firsts.Add((summary.SeriesId, timestamp, values));
                partials.Add(default);
            }
            else if (ShardGrouper.Precedes(timestamp, summary.SeriesId, firsts[group].Timestamp, firsts[group].Series, grouping.Descending))
            {
                firsts[group] = (summary.SeriesId, timestamp, values);
            }

            partials[group] = partials[group].Combine(ToPartial(summary.Summary));
        }

        WriteBatch rows = new(DataKind.Measure, subject);
        if (firsts.Count > 0)
        {
            for (int c = 0; c < tagColumns.Count; c++)
            {
                rows.AddColumn(tagColumns[c].Family, tagColumns[c].Tag, firsts[0].Values[c].Type);
            }

            foreach ((ulong seriesId, long timestamp, ColumnValue[] values) in firsts)
            {
                rows.AddRow(seriesId, timestamp, 0, values);
            }
        }

        return (rows, [.. partials]);
    }

    /// <summary>The partial aggregate of a field summary, as <c>FieldAggregator.Accumulate</c> builds it row by row.</summary>
    public static PartialAggregate ToPartial(in FieldSummary summary)
    {
        if (summary.Count == 0)
        {
            return default;
        }

        return summary.Type == ColumnValueType.Float64
            ? new PartialAggregate(summary.Count, 0, summary.Float64Sum, true, summary.Float64Min, summary.Float64Max, long.MaxValue, long.MinValue)
            : new PartialAggregate(summary.Count, summary.Int64Sum, 0, false, summary.Int64Min, summary.Int64Max, summary.Int64Min, summary.Int64Max);
    }

    private static int IndexOf(IReadOnlyList<(string Family, string Tag)> columns, string? family, string name)
    {
        for (int i = 0; i < columns.Count; i++)
        {
            if ((family is null || columns[i].Family == family) && columns[i].Tag == name)
            {
                return i;
            }
        }

        return -1;
    }
}
