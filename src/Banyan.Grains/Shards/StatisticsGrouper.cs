using System.Collections.Immutable;
using System.Runtime.InteropServices;
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
    // A list that grew past this many summaries (a query over most of a large shard) is not kept for the thread's next one.
    private const int MaxKeptSummaries = 4096;

    [ThreadStatic]
    private static List<SeriesFieldSummary>? s_summaries;

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
        // The series in id order, as the summaries come back: each summary's entity is found by walking this list
        // alongside them, with no lookup table built per query. The series index's cached answer for a prefix is such a
        // list already, with its ids gathered (a chart's buckets all name the same series); another list is copied.
        SeriesMatchesById byId = SeriesMatchesById.Of(series);

        // The summaries go into this thread's list (a request's work here is synchronous), kept for its next request.
        List<SeriesFieldSummary> reused = s_summaries ?? [];
        s_summaries = null;
        try
        {
            SummaryParts parts = (grouping.NeedsSum ? SummaryParts.Sum : SummaryParts.Count) | (grouping.SkipsMinMax ? SummaryParts.Count : SummaryParts.MinMax);
            List<SeriesFieldSummary>? summaries = shard.SummarizeField(subject, byId.Ids, minTimestamp, maxTimestamp, field, reused, parts);
            return summaries is null ? null : GroupSummaries(subject, byId.AsSpan(), summaries, entityTags, tagColumns, grouping);
        }
        finally
        {
            if (reused.Capacity <= MaxKeptSummaries)
            {
                reused.Clear();
                s_summaries = reused;
            }
        }
    }

    // The groups of the summaries (in series order; byId holds their series in the same order).
    private static (WriteBatch Rows, ImmutableArray<PartialAggregate> Partials)? GroupSummaries(
        string subject,
        ReadOnlySpan<SeriesMatch> byId,
        List<SeriesFieldSummary> summaries,
        (string Family, string Tag)[] entityTags,
        IReadOnlyList<(string Family, string Tag)> tagColumns,
        ShardGrouping grouping)
    {
        // Where each answer column's value sits in the entity, and each group-by tag's column.
        int[] entityIndex = new int[tagColumns.Count];
        for (int c = 0; c < entityIndex.Length; c++)
        {
            entityIndex[c] = Array.FindIndex(entityTags, e => e.Family == tagColumns[c].Family && e.Tag == tagColumns[c].Tag);
        }

        int[] keyColumns = [.. grouping.GroupBy.Select(g => IndexOf(tagColumns, g.Family, g.Name))];

        // Without group-by tags every series falls in the one group; with them, a series' key needs only the values of
        // its key columns (the answer's other columns are made for each group's first series only, at the end).
        ColumnValue[] keyValues = new ColumnValue[tagColumns.Count];
        Dictionary<string, int> groupOfKey = new(StringComparer.Ordinal);
        List<PartialAggregate> partials = [];
        List<(ulong Series, long Timestamp, IReadOnlyList<TagValue> Entity)> firsts = [];
        int cursor = 0;
        foreach (ref readonly SeriesFieldSummary summary in CollectionsMarshal.AsSpan(summaries))
        {
            // A float sum must be added row by row in order; an integer sum that overflowed lost its wrapped value.
            if (grouping.NeedsSum && (summary.Summary.Type == ColumnValueType.Float64 || summary.Summary.Int64SumOverflowed))
            {
                return null;
            }

            while (byId[cursor].SeriesId != summary.SeriesId)
            {
                cursor++;
            }

            IReadOnlyList<TagValue> entity = byId[cursor].EntityValues;
            long timestamp = grouping.Descending ? summary.LastTimestamp : summary.FirstTimestamp;
            int group;
            if (keyColumns.Length == 0)
            {
                group = 0;
                if (firsts.Count == 0)
                {
                    firsts.Add((summary.SeriesId, timestamp, entity));
                    partials.Add(default);
                }
            }
            else
            {
                foreach (int column in keyColumns)
                {
                    if (column >= 0)
                    {
                        keyValues[column] = ValueTypes.FromEntityValue(entity[entityIndex[column]]);
                    }
                }

                string key = ShardGrouper.KeyOf(keyValues, keyColumns);
                if (!groupOfKey.TryGetValue(key, out group))
                {
                    group = firsts.Count;
                    groupOfKey[key] = group;
                    firsts.Add((summary.SeriesId, timestamp, entity));
                    partials.Add(default);
                }
            }

            if (ShardGrouper.Precedes(timestamp, summary.SeriesId, firsts[group].Timestamp, firsts[group].Series, grouping.Descending))
            {
                firsts[group] = (summary.SeriesId, timestamp, entity);
            }

            ref PartialAggregate partial = ref CollectionsMarshal.AsSpan(partials)[group];
            partial = partial.Combine(ToPartial(summary.Summary));
        }

        WriteBatch rows = new(DataKind.Measure, subject);
        if (firsts.Count > 0)
        {
            ColumnValue[][] values = new ColumnValue[firsts.Count][];
            for (int g = 0; g < firsts.Count; g++)
            {
                values[g] = new ColumnValue[entityIndex.Length];
                for (int c = 0; c < entityIndex.Length; c++)
                {
                    values[g][c] = ValueTypes.FromEntityValue(firsts[g].Entity[entityIndex[c]]);
                }
            }

            for (int c = 0; c < tagColumns.Count; c++)
            {
                rows.AddColumn(tagColumns[c].Family, tagColumns[c].Tag, values[0][c].Type);
            }

            for (int g = 0; g < firsts.Count; g++)
            {
                rows.AddRow(firsts[g].Series, firsts[g].Timestamp, 0, values[g]);
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
