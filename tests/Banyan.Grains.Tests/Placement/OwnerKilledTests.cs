using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Placement;

[Collection(TcpClusterDefinition.Name)]
public sealed class OwnerKilledTests(TcpClusterFixture fixture)
{
    [Fact]
    public async Task When_the_owner_is_killed_its_shard_is_unavailable_and_not_activated_elsewhere()
    {
        // A silo of our own, so the shared cluster keeps its two.
        SiloHandle extra = await fixture.Cluster.StartAdditionalSiloAsync().WaitAsync(TimeSpan.FromMinutes(1));
        const string group = "killed-owner-g";
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(3).WaitAsync(TimeSpan.FromSeconds(30));
        int shard = owners.Owners.IndexOf(extra.Name);
        Assert.True(shard >= 0, $"the new silo {extra.Name} should own a shard of a new group: {string.Join(", ", owners.Owners)}");
        ShardGrainKey key = new(group, new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), shard);
        await fixture.Client.CallShardAsync(key, extra.Name, g => g.Write(new ShardWrite("test", TestBatches.Stream(5, TestBatches.Nanos(key.SegmentStart)))));
        Assert.Equal(extra.Name, (await fixture.Client.CallShardAsync(key, extra.Name, g => g.GetStats())).Node);

        await fixture.Cluster.KillSiloAsync(extra).WaitAsync(TimeSpan.FromMinutes(1));

        // Until membership declares the silo dead, calls fail in other ways; then placement refuses.
        ShardUnavailableException refused = await Eventually.MatchAsync(
            async () =>
            {
                try
                {
                    await fixture.Client.CallShardAsync(key, extra.Name, g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(10));
                    return null;
                }
                catch (Exception e)
                {
                    for (Exception? current = e; current is not null; current = current.InnerException)
                    {
                        if (current is ShardUnavailableException unavailable)
                        {
                            return unavailable;
                        }
                    }

                    return null;
                }
            },
            e => e is not null,
            TimeSpan.FromSeconds(120),
            "ShardUnavailableException after the owner was killed") ?? throw new InvalidOperationException("unreachable");
        Assert.Equal(extra.Name, refused.Owner);

        foreach (string silo in new[] { "Primary", "Secondary_1" })
        {
            Assert.False(Directory.Exists(Path.Combine(fixture.SiloDataRoot(silo), group, "seg-" + key.SegmentText, "shard-" + shard)), $"shard activated on {silo}");
        }
    }
}
