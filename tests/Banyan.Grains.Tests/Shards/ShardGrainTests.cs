using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains.Tests.Shards;

[Collection(SharedClusterDefinition.Name)]
public sealed class ShardGrainTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset s_segment = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_shard_grains_memory_is_counted_in_its_silos_memory_budget()
    {
        // A measure shard: its flush timer (5 s) leaves the written rows in memory while the test looks.
        await Schemas.CreateAsync(fixture.Client, WriteSchemas.Group("budget-g", Banyan.Api.Common.V1.Catalog.Measure, shards: 1), WriteSchemas.Measure("budget-g"));
        (ShardGrainKey key, string owner) = await ShardOf("budget-g");
        await fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("cpm", TestBatches.Cpm(100, TestBatches.Nanos(s_segment), "entity-0"))));

        // Every silo has one budget (Silo:Shard:MemoryBudgetMegabytes) that its shards count their memory in. Read
        // before the shard's own figure: with no more writes a shard's memory only falls, so the budgets' sum bounds it.
        long held = 0;
        int shards = 0;
        foreach (Orleans.TestingHost.SiloHandle silo in fixture.Cluster.GetActiveSilos())
        {
            Banyan.Storage.Shards.MemoryBudget budget = fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<Banyan.Grains.Shards.ShardMemoryBudget>().Budget;
            held += budget.HeldBytes;
            shards += budget.ShardCount;
        }

        ShardStats stats = await fixture.Client.CallShardAsync(key, owner, g => g.GetStats());
        Assert.True(shards >= 1, "the open shard is registered with its silo's budget");
        Assert.True(held >= stats.MemoryBytes, $"the budgets hold {held} bytes, the shard alone {stats.MemoryBytes}");
        Assert.True(held > 0, "the written rows are held in a budget");
    }

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
