using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Grains.Tests.Shards;

[Collection(SharedClusterDefinition.Name)]
public sealed class ShardGrainTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset s_segment = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_flush_timer_moves_memory_parts_to_disk_without_a_flush_call()
    {
        (ShardGrainKey key, string owner) = await ShardOf("timer-g");
        await fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("test", TestBatches.Stream(100, TestBatches.Nanos(s_segment)))));

        // Streams flush every second by default; nothing here calls Flush.
        ShardStats stats = await Eventually.MatchAsync(
            () => fixture.Client.CallShardAsync(key, owner, g => g.GetStats()),
            s => s.MemoryParts == 0 && s.DiskParts >= 1,
            TimeSpan.FromSeconds(30),
            "flush timer");
        Assert.Equal(100, stats.Rows);
        Assert.Equal(0, stats.MemoryBytes);
    }

    [Fact]
    public async Task Written_rows_survive_deactivation_and_explicit_flush_and_merge_work()
    {
        // A measure shard configures each subject in the engine (series index) at its first write: the measure must exist.
        await Schemas.CreateAsync(fixture.Client, WriteSchemas.Group("lifecycle-g", Banyan.Api.Common.V1.Catalog.Measure, shards: 1), WriteSchemas.Measure("lifecycle-g"));
        (ShardGrainKey key, string owner) = await ShardOf("lifecycle-g");
        for (int i = 0; i < 3; i++)
        {
            await fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("cpm", TestBatches.Cpm(50, TestBatches.Nanos(s_segment) + (i * 1000), "entity-" + i))));
            await fixture.Client.CallShardAsync(key, owner, g => g.Flush());
        }

        ShardStats flushed = await fixture.Client.CallShardAsync(key, owner, g => g.GetStats());
        Assert.Equal(150, flushed.Rows);
        Assert.True(flushed.DiskParts >= 1);

        await fixture.Client.CallShardAsync(key, owner, g => g.Merge());
        await fixture.Cluster.DeactivateAsync(fixture.Client.GetGrain<IShardGrain>(key.ToString())).WaitAsync(TimeSpan.FromSeconds(30));

        // A new activation opens the same folder from the persisted kind, before any write.
        ShardStats reopened = await fixture.Client.CallShardAsync(key, owner, g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(owner, reopened.Node);
        Assert.Equal(150, reopened.Rows);
    }

    [Fact]
    public async Task A_batch_of_the_other_kind_is_refused_naming_the_shard()
    {
        (ShardGrainKey key, string owner) = await ShardOf("kind-g");
        await fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("test", TestBatches.Stream(1, TestBatches.Nanos(s_segment)))));
        ArgumentException e = await Exceptions.CatchAsync<ArgumentException>(() => fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("test", TestBatches.Measure(1, TestBatches.Nanos(s_segment))))));
        Assert.Contains(key.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await fixture.Client.CallShardAsync(key, owner, g => g.GetStats())).Rows);
    }

    private async Task<(ShardGrainKey Key, string Owner)> ShardOf(string group)
    {
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(1).WaitAsync(TimeSpan.FromSeconds(30));
        return (new ShardGrainKey(group, s_segment, 0), owners.OwnerOf(0));
    }
}
