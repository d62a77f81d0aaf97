using Banyan.Grains.Queries;
using Banyan.Storage.Columns;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// Turns the rows of a measure write batch into the points one TopN aggregation takes: rows failing its
/// <c>criteria</c> are left out; each point carries the ranked field (0 when the point has none, as BanyanDB reads a
/// missing field), its group-by key and the entity values of its series.
/// </summary>
internal static class TopNPointReader
{
    /// <summary>
    /// The points of <paramref name="batch"/> for <paramref name="definition"/>, in batch order. With
    /// <paramref name="seriesTags"/> (see <see cref="TopNSeriesTags.For"/>) the group-by key, entity values and place
    /// (<see cref="TopNPoint.Ordinal"/>) of a series seen before are taken from it, and those of a new series added to it.
    /// </summary>
    public static List<TopNPoint> Read(TopNDefinition definition, WriteBatch batch, TopNSeriesTags? seriesTags = null)
    {
        List<TopNPoint> points = [];
        Read(definition, batch, seriesTags, points);
        return points;
    }

    /// <summary>As <see cref="Read(TopNDefinition, WriteBatch, TopNSeriesTags?)"/>, into <paramref name="points"/> (cleared first, so a caller reuses one list for every batch).</summary>
    public static void Read(TopNDefinition definition, WriteBatch batch, TopNSeriesTags? seriesTags, List<TopNPoint> points)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(points);
        points.Clear();
        points.EnsureCapacity(batch.Count);
        int field = batch.FindColumn(null, definition.FieldName);
        int[] groupBy = [.. definition.GroupBy.Select(t => batch.FindColumn(t.Family, t.Tag))];
        int[] entity = [.. definition.Entity.Select(t => batch.FindColumn(t.Family, t.Tag))];
        WriteBatchTagRow? row = definition.Criteria is null ? null : new WriteBatchTagRow(definition.Subject, batch);
        ReadOnlySpan<ulong> series = batch.SeriesIds;
        ReadOnlySpan<long> timestamps = batch.Timestamps;
        string[] groupParts = new string[groupBy.Length];
        for (int i = 0; i < batch.Count; i++)
        {
            if (row is not null)
            {
                row.Row = i;
                if (!CriteriaEvaluator.Matches(definition.Criteria!, row, definition.Subject.IndexSchema))
                {
                    continue;
                }
            }

            TopNSeriesOrdinal ordinal = default;
            if (seriesTags is null || !seriesTags.TryGet(series[i], out string groupKey, out TagValue[] entityValues, out byte[]? entityBytes, out ordinal))
            {
                for (int g = 0; g < groupBy.Length; g++)
                {
                    groupParts[g] = TopNGroupKey.Of(TagAt(batch, groupBy[g], i));
                }

                entityValues = new TagValue[entity.Length];
                for (int e = 0; e < entity.Length; e++)
                {
                    entityValues[e] = TagAt(batch, entity[e], i) ?? TagValue.Null;
                }

                groupKey = TopNGroupKey.Join(groupParts);
                entityBytes = seriesTags?.Add(series[i], groupKey, entityValues, out ordinal);
            }

            points.Add(new TopNPoint(timestamps[i], groupKey, series[i], RankAt(definition, batch, field, i), entityValues, entityBytes, ordinal));
        }
    }

    private static TagValue? TagAt(WriteBatch batch, int column, int row)
    {
        if (column < 0)
        {
            return null;
        }

        ColumnBuffer buffer = batch.Columns[column];
        return buffer.IsNull(row) ? null : BlockTagRow.ToTagValue(buffer.GetValue(row));
    }

    private static TopNRank RankAt(TopNDefinition definition, WriteBatch batch, int column, int row)
    {
        if (column < 0 || batch.Columns[column].IsNull(row))
        {
            return definition.IsFloat ? TopNRank.OfFloat(0) : TopNRank.OfInt(0);
        }

        ColumnBuffer buffer = batch.Columns[column];
        return buffer.Type switch
        {
            ColumnValueType.Float64 => definition.IsFloat ? TopNRank.OfFloat(buffer.GetDouble(row)) : TopNRank.OfInt(0),
            ColumnValueType.Int64 => definition.IsFloat ? TopNRank.OfFloat(0) : TopNRank.OfInt(buffer.GetInt64(row)),
            _ => definition.IsFloat ? TopNRank.OfFloat(0) : TopNRank.OfInt(0),
        };
    }
}
