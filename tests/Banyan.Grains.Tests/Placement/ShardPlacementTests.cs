using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Placement;

[Collection(SharedClusterDefinition.Name)]
public sealed class ShardPlacementTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset s_firstSegment = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Shard_n_of_a_group_lands_on_its_owner_for_every_segment()
    {
        const string group = "placed-g";
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(3).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, owners.Owners.Distinct().Count());

        for (int segment = 0; segment < 3; segment++)
        {
            DateTimeOffset start = s_firstSegment.AddHours(segment);
            for (int shard = 0; shard < 3; shard++)
            {
                ShardGrainKey key = new(group, start, shard);
                string owner = owners.OwnerOf(shard);
                await fixture.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("test", TestBatches.Stream(10, TestBatches.Nanos(start)))));
                ShardStats stats = await fixture.Client.CallShardAsync(key, owner, g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(owner, stats.Node);
                Assert.Equal(10, stats.Rows);

                // The data is on the owner's disk and nowhere else.
                foreach (string silo in new[] { "Primary", "Secondary_1", "Secondary_2" })
                {
                    string folder = Path.Combine(fixture.SiloDataRoot(silo), group, "seg-" + key.SegmentText, "shard-" + shard);
                    Assert.Equal(silo == owner, Directory.Exists(folder));
                }
            }
        }
    }

    [Fact]
    public async Task A_call_without_the_owner_hint_is_refused_as_a_bug()
    {
        ShardGrainKey key = new("unhinted-g", s_firstSegment, 0);
        InvalidOperationException e = await Exceptions.CatchAsync<InvalidOperationException>(() => fixture.Client.GetGrain<IShardGrain>(key.ToString()).GetStats());
        Assert.Contains("bug", e.Message, StringComparison.Ordinal);
        Assert.Contains(key.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_owner_that_is_not_a_member_makes_the_shard_unavailable()
    {
        ShardGrainKey key = new("nowhere-g", s_firstSegment, 0);
        ShardUnavailableException e = await Exceptions.CatchAsync<ShardUnavailableException>(() => fixture.Client.CallShardAsync(key, "no-such-node", g => g.GetStats()));
        Assert.Equal(key.ToString(), e.ShardKey);
        Assert.Equal("no-such-node", e.Owner);
        Assert.Contains("no-such-node", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hint_ends_with_the_call()
    {
        ShardGrainKey hinted = new("scoped-g", s_firstSegment, 0);
        await fixture.Client.CallShardAsync(hinted, "Secondary_1", g => g.GetStats());
        Assert.Null(RequestContext.Get(ShardGrainRouter.OwnerKey));

        // A later unhinted call of the same flow must not reuse the previous owner.
        ShardGrainKey other = new("scoped-g", s_firstSegment, 1);
        await Exceptions.CatchAsync<InvalidOperationException>(() => fixture.Client.GetGrain<IShardGrain>(other.ToString()).GetStats());
    }
}
