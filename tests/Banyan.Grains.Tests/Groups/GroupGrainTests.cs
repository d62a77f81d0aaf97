using Banyan.GrainInterfaces.Groups;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Groups;

[Collection(SharedClusterDefinition.Name)]
public sealed class GroupGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Shards_spread_over_the_silos_and_keep_their_owner()
    {
        IGroupGrain group = fixture.Client.GetGrain<IGroupGrain>("spread-g");
        ShardOwners first = await group.GetShardOwners(3).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["Primary", "Secondary_1", "Secondary_2"], first.Owners.ToArray());

        ShardOwners more = await group.GetShardOwners(5).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["Primary", "Secondary_1", "Secondary_2", "Primary", "Secondary_1"], more.Owners.ToArray());
        Assert.Equal(first.Owners.ToArray(), (await group.GetShardOwners(3)).Owners.ToArray());

        // Persisted: a new activation reads the same assignment.
        await fixture.Cluster.DeactivateAsync(group).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(more.Owners.ToArray(), (await group.GetShardOwners(5).WaitAsync(TimeSpan.FromSeconds(30))).Owners.ToArray());
    }

    [Fact]
    public async Task Bad_arguments_get_errors_naming_them()
    {
        ArgumentOutOfRangeException count = await Exceptions.CatchAsync<ArgumentOutOfRangeException>(() => fixture.Client.GetGrain<IGroupGrain>("args-g").GetShardOwners(0));
        Assert.Contains("shardNum", count.Message, StringComparison.Ordinal);
        ArgumentException name = await Exceptions.CatchAsync<ArgumentException>(() => fixture.Client.GetGrain<IGroupGrain>("bad/name").GetShardOwners(1));
        Assert.Contains("'/'", name.Message, StringComparison.Ordinal);
    }
}
