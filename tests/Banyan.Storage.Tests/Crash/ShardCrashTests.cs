using System.Globalization;
using Banyan.Storage.Columns;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Series;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Crash;

public sealed class ShardCrashTests
{
    private const int RowsPerBatch = 40; // as the child's ShardWorkload

    private static ShardOptions Options() => new()
    {
        Kind = DataKind.Stream,
        Index = new ShardIndexConfig(DataKind.Stream, "crash_stream", ["svc"], [new ShardIndexRule("v", "default")]), // as the child's
        Wal = new Banyan.Storage.Wal.WalOptions { MaxFileSize = 32 * 1024 },
    };

    private const int RoundsPerShard = 50;

    [Fact]
    public void Acknowledged_batches_survive_kills_during_writes_flushes_and_merges_exactly_once()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        HashSet<long> acknowledged = [];
        int rounds = CrashChildProcess.Rounds(50, 400);
        long totalAcknowledged = 0;
        string shardPath = dir.Path;
        for (int round = 0; round < rounds; round++)
        {
            // Every round reopens and checks all the data so far, so a shard that grew for 400 rounds
            // would make the long run quadratic (over 40 minutes): start a new shard every 50 rounds.
            if (round % RoundsPerShard == 0)
            {
                totalAcknowledged += acknowledged.Count;
                acknowledged.Clear();
                shardPath = Path.Combine(dir.Path, "shard-" + (round / RoundsPerShard).ToString(CultureInfo.InvariantCulture));
            }

            long firstBatch = (long)round * 1_000_000;
            string context = $"seed {seed}, round {round}";
            acknowledged.UnionWith(CrashChildProcess.RunAndKill(
                ["shard", shardPath, (seed + round).ToString(CultureInfo.InvariantCulture), firstBatch.ToString(CultureInfo.InvariantCulture)],
                TimeSpan.FromMilliseconds(random.Next(0, 250)),
                TimeSpan.FromSeconds(30)));

            Dictionary<long, int> rowsPerBatch = [];
            HashSet<long> elements = [];
            using Shard shard = Shard.Open(shardPath, Options());
            using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
            while (scan.MoveNext())
            {
                elements.Add(scan.Version);
                long element = scan.Version;
                ColumnBuffer values = scan.CurrentBlock.FindColumn("default", "v") ?? throw new InvalidOperationException("tag v missing");
                Assert.True(values.GetInt64(scan.CurrentRow) == element * 7, $"{context}: element {element} has a value never written");
                Assert.True(scan.SeriesId == SeriesOf(element) && scan.Timestamp == 1_700_000_000_000_000_000 + (element * 1000), $"{context}: element {element} has keys never written");
                long batch = element / 1000;
                Assert.True(batch < firstBatch + 1_000_000, $"{context}: batch {batch} was never written");
                rowsPerBatch[batch] = rowsPerBatch.GetValueOrDefault(batch) + 1;
            }

            foreach ((long batch, int rows) in rowsPerBatch)
            {
                Assert.True(rows == RowsPerBatch, $"{context}: batch {batch} has {rows} rows, expected {RowsPerBatch} exactly once");
            }

            foreach (long batch in acknowledged)
            {
                Assert.True(rowsPerBatch.ContainsKey(batch), $"{context}: acknowledged batch {batch} lost");
            }

            CheckIndexes(shard, elements, acknowledged, random, context);
        }

        totalAcknowledged += acknowledged.Count;
        Assert.True(totalAcknowledged > rounds, $"the child acknowledged only {totalAcknowledged} batches in {rounds} rounds");
    }

    private static ulong SeriesOf(long element) =>
        SeriesKey.ComputeSeriesId("crash_stream", [TagValue.FromString("svc-" + (element % 13).ToString(CultureInfo.InvariantCulture))]);

    // The indexes recovered with the rows: every row is indexed exactly once (no replayed batch
    // indexed twice, none lost), an index range query returns every row once, and an EQ query on the
    // indexed tag finds each sampled acknowledged row exactly once.
    private static void CheckIndexes(Shard shard, HashSet<long> elements, HashSet<long> acknowledged, Random random, string context)
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
            long element = (batches[random.Next(batches.Length)] * 1000) + random.Next(RowsPerBatch);
            var eq = new Condition("v", ConditionOp.Eq, TagValue.FromInt64(element * 7));
            List<IndexedRow> rows = shard.QueryIndexed(eq, long.MinValue, long.MaxValue);
            Assert.True(rows.Count == 1 && rows[0].VersionOrElementId == element && rows[0].SeriesId == SeriesOf(element), $"{context}: EQ on v found {rows.Count} rows for acknowledged element {element}");
            hits.Clear();
            shard.Indexer.Search(eq, long.MinValue, long.MaxValue, hits);
            Assert.True(hits.Count == 1, $"{context}: {hits.Count} index documents for acknowledged element {element}");
        }
    }
}
