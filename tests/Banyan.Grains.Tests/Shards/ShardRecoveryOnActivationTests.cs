using Banyan.GrainInterfaces.Groups;
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
        const string group = "recovery-log-g";
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(1).WaitAsync(s_bound);
        ShardGrainKey key = new(group, s_segment, 0);
        string owner = owners.OwnerOf(0);
        await fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("test", TestBatches.Stream(10, TestBatches.Nanos(s_segment), firstElementId: 1)))).WaitAsync(s_bound);
        await fixture.Client.CallShardAsync(key, owner, g => g.Flush()).WaitAsync(s_bound);
        await fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("test", TestBatches.Stream(10, TestBatches.Nanos(s_segment.AddMinutes(1)), firstElementId: 11)))).WaitAsync(s_bound);
        await fixture.Client.CallShardAsync(key, owner, g => g.Flush()).WaitAsync(s_bound);
        await fixture.Cluster.DeactivateAsync(fixture.Client.GetGrain<IShardGrain>(key.ToString())).WaitAsync(s_bound);

        // The newest snapshot file cut in half, as a disk that lost its tail would leave it.
        string folder = Path.Combine(fixture.SiloDataRoot(owner), key.Group, "seg-" + key.SegmentText, "shard-" + key.Shard);
        string[] snapshots = Directory.GetFiles(folder, "*.snp", SearchOption.AllDirectories);
        Assert.True(snapshots.Length >= 2, $"two snapshots kept, found {snapshots.Length}");
        Array.Sort(snapshots, StringComparer.Ordinal);
        byte[] newest = await File.ReadAllBytesAsync(snapshots[^1]);
        await File.WriteAllBytesAsync(snapshots[^1], newest[..(newest.Length / 2)]);

        ShardStats stats = await fixture.Client.CallShardAsync(key, owner, g => g.GetStats()).WaitAsync(s_bound);
        Assert.Equal(20, stats.Rows);
        string warning = Assert.Single(RecordedWarnings.Entries, e => e.Contains(key.ToString(), StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains("a snapshot did not load and the one before it was used", warning, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(snapshots[^1]), warning, StringComparison.Ordinal);
    }
}
