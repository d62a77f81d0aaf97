using System.Globalization;
using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains.Tests;

/// <summary>Places a grain keyed <c>name/N</c> on the N-th active silo (mod the silo count), as Banyan's shard grains will be.</summary>
public sealed class ShardPlacement : PlacementStrategy
{
    public static ShardPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class ShardPlacementAttribute : PlacementAttribute
{
    public ShardPlacementAttribute()
        : base(ShardPlacement.Instance)
    {
    }
}

public sealed class ShardPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = context.GetCompatibleSilos(target);
        string key = target.GrainIdentity.Key;
        int shard = int.Parse(key[(key.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        return Task.FromResult(silos[shard % silos.Length]);
    }
}

public interface IShardGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();
}

[ShardPlacement]
public sealed class ShardGrain(ISiloStatus silo) : Grain, IShardGrain
{
    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToString());
}

public interface IHashedGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();
}

[HashBasedPlacement]
public sealed class HashedGrain(ISiloStatus silo) : Grain, IHashedGrain
{
    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToString());
}

public sealed class PlacementTests
{
    [Fact]
    public async Task A_custom_placement_director_decides_where_grains_activate()
    {
        await using TestCluster cluster = await Clusters.StartAsync(3, silo => silo.Services.AddPlacementDirector<ShardPlacement, ShardPlacementDirector>());
        string[] sorted = cluster.Silos.Select(s => s.SiloAddress).Order().Select(a => a.ToString()).ToArray();
        string group = Signals.NewId();
        for (int shard = 0; shard < 6; shard++)
        {
            // Whoever calls first, the director's choice holds.
            SiloHandle caller = cluster.Silos[(shard + 1) % 3];
            Assert.Equal(sorted[shard % 3], await caller.GrainFactory.GetGrain<IShardGrain>($"{group}/{shard}").WhereAmI());
            Assert.Equal(sorted[shard % 3], await cluster.Client.GetGrain<IShardGrain>($"{group}/{shard}").WhereAmI());
        }
    }

    [Fact]
    public async Task Hash_based_placement_is_the_same_whoever_calls_and_spreads_grains()
    {
        await using TestCluster cluster = await Clusters.StartAsync(3);
        HashSet<string> used = [];
        for (int i = 0; i < 30; i++)
        {
            string key = Signals.NewId();
            string where = await cluster.Silos[i % 3].GrainFactory.GetGrain<IHashedGrain>(key).WhereAmI();
            Assert.Equal(where, await cluster.Silos[(i + 1) % 3].GrainFactory.GetGrain<IHashedGrain>(key).WhereAmI());
            used.Add(where);
        }

        Assert.Equal(3, used.Count);
    }
}
