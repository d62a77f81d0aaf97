using System.Globalization;
using Banyan.Storage.Columns;
using Banyan.Storage.Query;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Crash;

/// <summary>
/// Checks a shard reopened after a kill or a power cut against what the workload acknowledged. The
/// expected rows are derived here from batch ids with their own formulas, a mirror of the workloads
/// kept separate so that a change on one side shows up.
/// </summary>
internal static class ShardChecker
{
    public const int StreamRowsPerBatch = 40;
    private const int MeasureSeries = 7;
    private const int MeasureSlots = 50;
    private const int MeasureKeys = MeasureSeries * MeasureSlots;
    private const int MeasureRowsPerBatch = 20;
    private const long BaseTimestamp = 1_700_000_000_000_000_000;
    private static readonly Dictionary<ulong, int> s_measureSeries = MeasureSeriesIds();

    /// <summary>
    /// Stream shard: every batch present is whole and once, every acknowledged batch is present, no row
    /// was never written, and the indexes hold exactly the rows (range and EQ queries).
    /// </summary>
    public static void CheckStream(Shard shard, IReadOnlySet<long> acknowledged, long batchLimit, Random random, string context)
    {
        Dictionary<long, int> rowsPerBatch = [];
        HashSet<long> elements = [];
        using (ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All))
        {
            while (scan.MoveNext())
            {
                long element = scan.Version;
                Assert.True(elements.Add(element), $"{context}: element {element} read twice");
                ColumnBuffer values = scan.CurrentBlock.FindColumn("default", "v") ?? throw new InvalidOperationException("tag v missing");
                Assert.True(values.GetInt64(scan.CurrentRow) == element * 7, $"{context}: element {element} has a value never written");

                // The entity tag: WAL records leave it out once the series index's files hold the series, and a replay
                // restores it from the series key (docs/format/write-batch.md, version 3).
                ColumnBuffer service = scan.CurrentBlock.FindColumn("default", "svc") ?? throw new InvalidOperationException("tag svc missing");
                string expectedService = "svc-" + (element % 13).ToString(CultureInfo.InvariantCulture);
                Assert.True(service.GetString(scan.CurrentRow) == expectedService, $"{context}: element {element} has svc '{service.GetString(scan.CurrentRow)}', written '{expectedService}'");
                Assert.True(scan.SeriesId == StreamSeriesOf(element) && scan.Timestamp == BaseTimestamp + (element * 1000), $"{context}: element {element} has keys never written");
                long batch = element / 1000;
                Assert.True(batch < batchLimit && element % 1000 < StreamRowsPerBatch, $"{context}: batch {batch} was never written");
                rowsPerBatch[batch] = rowsPerBatch.GetValueOrDefault(batch) + 1;
            }
        }

        foreach ((long batch, int rows) in rowsPerBatch)
        {
            Assert.True(rows == StreamRowsPerBatch, $"{context}: batch {batch} has {rows} rows, expected {StreamRowsPerBatch} exactly once");
        }

        foreach (long batch in acknowledged)
        {
            Assert.True(rowsPerBatch.ContainsKey(batch), $"{context}: acknowledged batch {batch} lost");
        }

        CheckStreamIndexes(shard, elements, acknowledged, random, context);
    }

    /// <summary>
    /// Measure shard: each key is read once, with the value its version's batch wrote; its version is at
    /// least that of the newest acknowledged batch that wrote it (the newest acknowledged version wins, or
    /// a newer one that was in flight); and a batch whose version won anywhere survived whole (every key it
    /// wrote holds its version or a newer one).
    /// </summary>
    public static void CheckMeasure(Shard shard, IReadOnlySet<long> acknowledged, long batchLimit, string context)
    {
        Dictionary<int, long> versions = [];
        using (ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All))
        {
            while (scan.MoveNext())
            {
                Assert.True(s_measureSeries.TryGetValue(scan.SeriesId, out int series), $"{context}: series {scan.SeriesId} was never written");
                long offset = scan.Timestamp - BaseTimestamp;
                Assert.True(offset >= 0 && offset % 1000 == 0 && offset / 1000 < MeasureSlots, $"{context}: timestamp {scan.Timestamp} was never written");
                int key = (series * MeasureSlots) + (int)(offset / 1000);
                long version = scan.Version;
                Assert.True(versions.TryAdd(key, version), $"{context}: key {key} read twice (versions {versions.GetValueOrDefault(key)} and {version})");
                Assert.True(version >= 0 && version < batchLimit && Writes(version, key), $"{context}: key {key} has version {version}, which no batch wrote there");
                ColumnBuffer values = scan.CurrentBlock.FindColumn(null, "v") ?? throw new InvalidOperationException("field v missing");
                Assert.True(values.GetInt64(scan.CurrentRow) == (version * 1000) + key, $"{context}: key {key} version {version} has a value never written");
            }
        }

        foreach (long batch in acknowledged)
        {
            for (int row = 0; row < MeasureRowsPerBatch; row++)
            {
                int key = MeasureKeyOf(batch, row);
                Assert.True(versions.TryGetValue(key, out long version), $"{context}: key {key} of acknowledged batch {batch} lost");
                Assert.True(version >= batch, $"{context}: key {key} holds version {version}, older than acknowledged batch {batch}");
            }
        }

        foreach (long winner in new HashSet<long>(versions.Values))
        {
            for (int row = 0; row < MeasureRowsPerBatch; row++)
            {
                int key = MeasureKeyOf(winner, row);
                bool found = versions.TryGetValue(key, out long version);
                Assert.True(found && version >= winner, $"{context}: batch {winner} is half there: key {key} holds {(found ? $"version {version}" : "nothing")}");
            }
        }
    }

    private static int MeasureKeyOf(long batch, int row) => (int)(((batch * 31) + (row * 17)) % MeasureKeys);

    private static bool Writes(long batch, int key)
    {
        for (int row = 0; row < MeasureRowsPerBatch; row++)
        {
            if (MeasureKeyOf(batch, row) == key)
            {
                return true;
            }
        }

        return false;
    }

    private static ulong StreamSeriesOf(long element) =>
        SeriesKey.ComputeSeriesId("crash_stream", [TagValue.FromString("svc-" + (element % 13).ToString(CultureInfo.InvariantCulture))]);

    private static Dictionary<ulong, int> MeasureSeriesIds()
    {
        Dictionary<ulong, int> ids = [];
        for (int i = 0; i < MeasureSeries; i++)
        {
            ids[SeriesKey.ComputeSeriesId("crash_measure", [TagValue.FromString("svc-" + i.ToString(CultureInfo.InvariantCulture))])] = i;
        }

        return ids;
    }

    // The indexes recovered with the rows: every row is indexed exactly once (no replayed batch
    // indexed twice, none lost), an index range query returns every row once, and an EQ query on the
    // indexed tag finds each sampled acknowledged row exactly once.
    private static void CheckStreamIndexes(Shard shard, HashSet<long> elements, IReadOnlySet<long> acknowledged, Random random, string context)
    {
        List<IndexedRow> all = shard.QueryIndexed(new Condition("v", ConditionOp.Ge, TagValue.FromInt64(0)), long.MinValue, long.MaxValue);
        Assert.True(all.Count == elements.Count, $"{context}: the index range query returned {all.Count} rows, the shard holds {elements.Count}");
        HashSet<long> found = [];
        foreach (IndexedRow row in all)
        {
            Assert.True(found.Add(row.VersionOrElementId), $"{context}: element {row.VersionOrElementId} returned twice by the index");
        }

        Assert.True(found.SetEquals(elements), $"{context}: the index range query and the scan disagree");
        Assert.True(shard.Indexer!.DocumentCount == elements.Count, $"{context}: {shard.Indexer.DocumentCount} index documents for {elements.Count} rows");

        var hits = new List<IndexHit>();
        long[] batches = [.. acknowledged];
        for (int i = 0; i < Math.Min(25, batches.Length); i++)
        {
            long element = (batches[random.Next(batches.Length)] * 1000) + random.Next(StreamRowsPerBatch);
            var eq = new Condition("v", ConditionOp.Eq, TagValue.FromInt64(element * 7));
            List<IndexedRow> rows = shard.QueryIndexed(eq, long.MinValue, long.MaxValue);
            Assert.True(rows.Count == 1 && rows[0].VersionOrElementId == element && rows[0].SeriesId == StreamSeriesOf(element), $"{context}: EQ on v found {rows.Count} rows for acknowledged element {element}");
            hits.Clear();
            shard.Indexer.Search(eq, long.MinValue, long.MaxValue, hits);
            Assert.True(hits.Count == 1, $"{context}: {hits.Count} index documents for acknowledged element {element}");
        }
    }
}
