using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;

namespace Banyan.Storage.Shards;

/// <summary>
/// Joins index hits with the rows of a read view: the hits name the series to read (and, for
/// streams, the exact elements), the rows decide what the index left open.
/// </summary>
internal static class IndexedQuery
{
    /// <summary>Rows of <paramref name="view"/> in the time range matching <paramref name="criteria"/>; takes ownership of the view.</summary>
    public static List<IndexedRow> Run(ShardReadView view, ShardIndexConfig config, Criteria? criteria, long minTimestamp, long maxTimestamp, List<IndexHit> hits)
    {
        var result = new List<IndexedRow>();
        if (hits.Count == 0)
        {
            view.Dispose();
            return result;
        }

        var series = new HashSet<ulong>();
        var byElement = new Dictionary<(ulong, long, long), IndexHit>();
        var repeated = new HashSet<(ulong, long, long)>();
        bool stream = config.Kind == DataKind.Stream;
        foreach (IndexHit hit in hits)
        {
            series.Add(hit.SeriesId);
            if (stream && !byElement.TryAdd((hit.SeriesId, hit.Timestamp, hit.ElementId), hit))
            {
                repeated.Add((hit.SeriesId, hit.Timestamp, hit.ElementId));
            }
        }

        ulong[] ids = [.. series];
        Array.Sort(ids);
        ShardScan scan;
        try
        {
            scan = new ShardScan(view, config.Kind, new SeriesTimeFilter(ids, minTimestamp, maxTimestamp), ColumnProjection.All);
        }
        catch
        {
            view.Dispose();
            throw;
        }

        using (scan)
        {
            Collect(scan, stream, byElement, repeated, criteria, config, result);
        }

        return result;
    }

    private static void Collect(ShardScan scan, bool stream, Dictionary<(ulong, long, long), IndexHit> byElement, HashSet<(ulong, long, long)> repeated, Criteria? criteria, ShardIndexConfig config, List<IndexedRow> result)
    {
        var row = new BlockTagRow();
        while (scan.MoveNext())
        {
            row.Set(scan.CurrentBlock, scan.CurrentRow);
            bool accepted;
            if (stream)
            {
                var key = (scan.SeriesId, scan.Timestamp, scan.Version);
                if (!byElement.TryGetValue(key, out IndexHit hit))
                {
                    continue;
                }

                // Elements sharing series, timestamp and element id are told apart by their values only,
                // so for them the criteria are evaluated on the row itself.
                accepted = repeated.Contains(key) ? Evaluate(criteria, row, config) : hit.Accepts(row);
            }
            else
            {
                // Measure documents describe a series (tag values of its writes), so a candidate
                // series' rows are checked one by one.
                accepted = Evaluate(criteria, row, config);
            }

            if (accepted)
            {
                result.Add(new IndexedRow(scan.SeriesId, scan.Timestamp, scan.Version, row.ToDictionary()));
            }
        }
    }

    private static bool Evaluate(Criteria? criteria, BlockTagRow row, ShardIndexConfig config) =>
        criteria is null || CriteriaEvaluator.Matches(criteria, row, config.Schema);
}
