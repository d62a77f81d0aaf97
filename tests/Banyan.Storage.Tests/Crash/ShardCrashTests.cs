using System.Globalization;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;

namespace Banyan.Storage.Tests.Crash;

public sealed class ShardCrashTests
{
    private const int RowsPerBatch = 40; // as the child's ShardWorkload

    private static ShardOptions Options() => new()
    {
        Kind = PartKind.Stream,
        Wal = new Banyan.Storage.Wal.WalOptions { MaxFileSize = 32 * 1024 },
    };

    [Fact]
    public void Acknowledged_batches_survive_kills_during_writes_flushes_and_merges_exactly_once()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        using TempDirectory dir = new();
        HashSet<long> acknowledged = [];
        int rounds = CrashChildProcess.Rounds(50, 400);
        for (int round = 0; round < rounds; round++)
        {
            long firstBatch = (long)round * 1_000_000;
            string context = $"seed {seed}, round {round}";
            acknowledged.UnionWith(CrashChildProcess.RunAndKill(
                ["shard", dir.Path, (seed + round).ToString(CultureInfo.InvariantCulture), firstBatch.ToString(CultureInfo.InvariantCulture)],
                TimeSpan.FromMilliseconds(random.Next(0, 250)),
                TimeSpan.FromSeconds(30)));

            Dictionary<long, int> rowsPerBatch = [];
            using Shard shard = Shard.Open(dir.Path, Options());
            using ShardScan scan = shard.Scan(BlockQuery.All, ColumnProjection.All);
            while (scan.MoveNext())
            {
                long element = scan.Version;
                ColumnBuffer values = scan.CurrentBlock.FindColumn("default", "v") ?? throw new InvalidOperationException("tag v missing");
                Assert.True(values.GetInt64(scan.CurrentRow) == element * 7, $"{context}: element {element} has a value never written");
                Assert.True(scan.SeriesId == (ulong)(element % 13) * 0x9E3779B97F4A7C15UL && scan.Timestamp == 1_700_000_000_000_000_000 + (element * 1000), $"{context}: element {element} has keys never written");
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
        }

        Assert.True(acknowledged.Count > rounds, $"the child acknowledged only {acknowledged.Count} batches in {rounds} rounds");
    }
}
