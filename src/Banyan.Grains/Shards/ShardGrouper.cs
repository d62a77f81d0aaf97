using System.Collections.Immutable;
using Banyan.GrainInterfaces.Queries;
using Banyan.Grains.Queries;
using Banyan.Storage.Columns;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Grains.Shards;

/// <summary>
/// Groups the rows a shard read for a measure query with <c>group_by</c> (<see cref="ShardGrouping"/>): one row per
/// group (its first in the query's order) with the partial aggregate of the group's field values, so only the groups
/// cross silos. The caller (<see cref="MeasureQueryExecutor"/>) merges the groups of every shard by the same key.
/// </summary>
internal static class ShardGrouper
{
    /// <summary>The groups of <paramref name="rows"/>: one row each, in no particular order, and their partial aggregates.</summary>
    /// <param name="rows">The rows the shard read (in (series, timestamp) order).</param>
    /// <param name="grouping">The query's grouping.</param>
    /// <param name="perSeries">True when every group-by tag is an entity tag: a series then lies in one group, so the key is worked out once per series.</param>
    public static (WriteBatch Rows, ImmutableArray<PartialAggregate> Partials) Group(WriteBatch rows, ShardGrouping grouping, bool perSeries)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(grouping);
        int[] keyColumns = [.. grouping.GroupBy.Select(c => rows.FindColumn(c.Family, c.Name))];
        int field = grouping.Field is null ? -1 : rows.FindColumn(null, grouping.Field);
        Dictionary<string, int> groupOfKey = new(StringComparer.Ordinal);
        Dictionary<ulong, int> groupOfSeries = [];
        List<int> firstRows = [];
        List<PartialAggregate> partials = [];
        ReadOnlySpan<ulong> series = rows.SeriesIds;
        ReadOnlySpan<long> timestamps = rows.Timestamps;
        for (int row = 0; row < rows.Count; row++)
        {
            if (!perSeries || !groupOfSeries.TryGetValue(series[row], out int group))
            {
                string key = KeyOf(rows, keyColumns, row);
                if (!groupOfKey.TryGetValue(key, out group))
                {
                    group = firstRows.Count;
                    groupOfKey[key] = group;
                    firstRows.Add(row);
                    partials.Add(default);
                }

                if (perSeries)
                {
                    groupOfSeries[series[row]] = group;
                }
            }

            int first = firstRows[group];
            if (Precedes(timestamps[row], series[row], timestamps[first], series[first], grouping.Descending))
            {
                firstRows[group] = row;
            }

            if (field >= 0)
            {
                partials[group] = FieldAggregator.Accumulate(partials[group], rows.Columns[field].GetValue(row));
            }
        }

        return (rows.SelectRows(firstRows.ToArray()), [.. partials]);
    }

    /// <summary>The group key of a row: its group-by values, as the query's final grouping computes it.</summary>
    public static string KeyOf(WriteBatch rows, int[] keyColumns, int row)
    {
        if (keyColumns.Length == 1)
        {
            return ValueText(rows, keyColumns[0], row);
        }

        string[] parts = new string[keyColumns.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = ValueText(rows, keyColumns[i], row);
        }

        return string.Join('\u0001', parts);
    }

    /// <summary>The group key of one row's values (<paramref name="keyColumns"/> index them; -1: a null value), formed as <see cref="KeyOf(WriteBatch, int[], int)"/> forms it.</summary>
    public static string KeyOf(ColumnValue[] values, int[] keyColumns)
    {
        if (keyColumns.Length == 1)
        {
            return Text(values, keyColumns[0]);
        }

        string[] parts = new string[keyColumns.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = Text(values, keyColumns[i]);
        }

        return string.Join('\u0001', parts);

        static string Text(ColumnValue[] values, int column) => column < 0 ? ColumnValue.Null.ToString() : values[column].ToString();
    }

    /// <summary>
    /// True when the row (<paramref name="timestamp"/>, <paramref name="seriesId"/>) comes before
    /// (<paramref name="otherTimestamp"/>, <paramref name="otherSeriesId"/>) in the query's order: time, then series id,
    /// both reversed when descending. Equal keys do not precede (the first seen stays first, as a stable sort keeps it).
    /// </summary>
    public static bool Precedes(long timestamp, ulong seriesId, long otherTimestamp, ulong otherSeriesId, bool descending)
    {
        int c = timestamp.CompareTo(otherTimestamp);
        c = c != 0 ? c : seriesId.CompareTo(otherSeriesId);
        return descending ? c > 0 : c < 0;
    }

    private static string ValueText(WriteBatch rows, int column, int row)
        => column < 0 ? ColumnValue.Null.ToString() : rows.Columns[column].GetValue(row).ToString();
}
