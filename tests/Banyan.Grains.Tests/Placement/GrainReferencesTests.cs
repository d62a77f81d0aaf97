using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Groups;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Placement;

/// <summary><see cref="GrainReferences"/>: one reference per key and factory, the same grain Orleans' own lookup names.</summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_cached_reference_is_made_once_per_key_and_calls_the_same_grain()
    {
        IGroupGrain first = fixture.Client.GetGrainCached<IGroupGrain>("refs-g");
        Assert.Same(first, fixture.Client.GetGrainCached<IGroupGrain>("refs-g"));
        Assert.NotSame(first, fixture.Client.GetGrainCached<IGroupGrain>("refs-other"));
        Assert.Equal(fixture.Client.GetGrain<IGroupGrain>("refs-g").GetGrainId(), first.GetGrainId());

        ShardOwners viaCache = await first.GetShardOwners(2).WaitAsync(TimeSpan.FromSeconds(30));
        ShardOwners direct = await fixture.Client.GetGrain<IGroupGrain>("refs-g").GetShardOwners(2).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(direct.Owners.ToArray(), viaCache.Owners.ToArray());
    }

    [Fact]
    public void Past_the_bound_the_cache_starts_over_and_still_answers()
    {
        IGroupGrain kept = fixture.Client.GetGrainCached<IGroupGrain>("refs-bound-0");
        for (int i = 1; i <= GrainReferences.MaxPerFactory; i++)
        {
            fixture.Client.GetGrainCached<IGroupGrain>("refs-bound-" + i);
        }

        IGroupGrain again = fixture.Client.GetGrainCached<IGroupGrain>("refs-bound-0");
        Assert.NotSame(kept, again);
        Assert.Equal(kept.GetGrainId(), again.GetGrainId());
    }
}
