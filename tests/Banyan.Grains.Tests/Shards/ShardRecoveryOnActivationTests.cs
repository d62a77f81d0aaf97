using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Grains.Tests.Shards;

/// <summary>
/// What a shard grain's open repairs reaches the silo's log (<c>ShardRecoveryLog</c>, called by the activation): a newest
/// snapshot file cut short is passed over for the one before it, the rows are all there, and the silo warns naming the
/// shard and the file.
/// </summary>
[Collection(FakeClockClusterDefinition.Name)]
public sealed class ShardRecoveryOnActivationTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset s_segment = new(2026, 12, 3, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_snapshot_that_does_not_load_is_logged_as_a_warning_and_no_row_is_lost()
    {
        ClusterShard shard = await ClusterShard.WrittenAsync(fixture, "recovery-log-g", s_segment);
        await shard.CallAsync(g => g.Flush());
        await shard.CallAsync(g => g.Write(new ShardWrite("test", TestBatches.Stream(10, TestBatches.Nanos(s_segment.AddMinutes(1)), firstElementId: 11))));
        await shard.CallAsync(g => g.Flush());
        await shard.DeactivateAsync();

        // The newest snapshot file cut in half, as a disk that lost its tail would leave it.
        string[] snapshots = Directory.GetFiles(shard.Folder, "*.snp", SearchOption.AllDirectories);
        Assert.True(snapshots.Length >= 2, $"two snapshots kept, found {snapshots.Length}");
        Array.Sort(snapshots, StringComparer.Ordinal);
        byte[] newest = await File.ReadAllBytesAsync(snapshots[^1]);
        await File.WriteAllBytesAsync(snapshots[^1], newest[..(newest.Length / 2)]);

        ShardStats stats = await shard.CallAsync(g => g.GetStats());
        Assert.Equal(20, stats.Rows);
        string warning = Assert.Single(RecordedWarnings.Entries, e => e.Contains(shard.Key.ToString(), StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains("a snapshot did not load and the one before it was used", warning, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(snapshots[^1]), warning, StringComparison.Ordinal);
    }
}
