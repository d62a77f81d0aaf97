using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests;

public interface ILocalGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();
}

[PreferLocalPlacement]
public sealed class LocalGrain(ISiloStatus silo) : Grain, ILocalGrain
{
    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToString());
}

/// <summary>Multi-silo behaviour: placement, transport, failures.</summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task Prefer_local_grains_activate_on_the_calling_silo()
    {
        await using TestCluster cluster = await Clusters.StartAsync(3);
        foreach (SiloHandle silo in cluster.Silos)
        {
            string where = await silo.GrainFactory.GetGrain<ILocalGrain>(Signals.NewId()).WhereAmI();
            Assert.Equal(silo.SiloAddress.ToString(), where);
        }
    }

    [Fact]
    public async Task A_call_crosses_silos_over_the_network_transport()
    {
        await using TestCluster cluster = await Clusters.StartAsync(2, network: true);
        SiloHandle a = cluster.Silos[0];
        SiloHandle b = cluster.Silos[1];
        string key = Signals.NewId();
        Assert.Equal(b.SiloAddress.ToString(), await b.GrainFactory.GetGrain<ILocalGrain>(key).WhereAmI());
        // From silo a, the same grain is reached on silo b, over HTTP/2 on loopback.
        Assert.Equal(b.SiloAddress.ToString(), await a.GrainFactory.GetGrain<ILocalGrain>(key).WhereAmI());
        // And from the client, through a gateway.
        Assert.Equal(b.SiloAddress.ToString(), await cluster.Client.GetGrain<ILocalGrain>(key).WhereAmI());
        ICounterGrain counter = cluster.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(3, await counter.Add(3));
        Assert.Equal(3, await a.GrainFactory.GetGrain<ICounterGrain>(key).Get());
        Assert.Equal(3, await b.GrainFactory.GetGrain<ICounterGrain>(key).Get());
    }

    [Fact]
    public async Task Grains_of_a_killed_silo_come_back_on_the_others_at_the_next_call()
    {
        await using TestCluster cluster = await Clusters.StartAsync(3);
        SiloHandle victim = cluster.Silos[2];
        string key = Signals.NewId();
        ILocalGrain onVictim = victim.GrainFactory.GetGrain<ILocalGrain>(key);
        Assert.Equal(victim.SiloAddress.ToString(), await onVictim.WhereAmI());
        await cluster.KillSiloAsync(victim);
        string where = await cluster.Client.GetGrain<ILocalGrain>(key).WhereAmI();
        Assert.NotEqual(victim.SiloAddress.ToString(), where);
        Assert.Contains(where, cluster.Silos.Select(s => s.SiloAddress.ToString()));
        Assert.DoesNotContain(victim.SiloAddress, cluster.Primary.ServiceProvider.GetService(typeof(ISiloStatus)) is ISiloStatus status ? status.ActiveSilos : []);
    }

    [Fact]
    public async Task Grains_of_a_killed_silo_come_back_over_the_network_transport()
    {
        await using TestCluster cluster = await Clusters.StartAsync(2, network: true);
        SiloHandle victim = cluster.Silos[1];
        string key = Signals.NewId();
        Assert.Equal(victim.SiloAddress.ToString(), await victim.GrainFactory.GetGrain<ILocalGrain>(key).WhereAmI());
        await cluster.KillSiloAsync(victim);
        Assert.Equal(cluster.Primary.SiloAddress.ToString(), await cluster.Primary.GrainFactory.GetGrain<ILocalGrain>(key).WhereAmI());
    }

    [Fact]
    public async Task The_client_reconnects_after_its_gateway_silo_restarts_over_the_network()
    {
        await using TestCluster cluster = await Clusters.StartAsync(1, network: true);
        ICounterGrain counter = cluster.Client.GetGrain<ICounterGrain>(Signals.NewId());
        Assert.Equal(1, await counter.Add(1));
        SiloHandle restarted = await cluster.RestartSiloAsync(cluster.Primary);
        Assert.Equal(restarted.GatewayPort, cluster.Silos[0].GatewayPort);
        // A new incarnation: state in memory is gone, the call succeeds through the restarted gateway.
        Assert.Equal(1, await counter.Add(1));
    }

    [Fact]
    public async Task The_client_moves_to_another_gateway_when_its_gateway_stops()
    {
        await using TestCluster cluster = await Clusters.StartAsync(2);
        ICounterGrain counter = cluster.Client.GetGrain<ICounterGrain>(Signals.NewId());
        await counter.Add(1);
        await cluster.StopSiloAsync(cluster.Primary);
        await counter.Add(1);
        SiloHandle added = await cluster.StartAdditionalSiloAsync();
        Assert.Equal(2, cluster.Silos.Count);
        Assert.True(added.IsActive);
    }

    [Fact]
    public async Task Configuration_mistakes_fail_the_call_with_a_message_naming_what_is_missing()
    {
        await using TestCluster cluster = await Clusters.StartAsync(1);
        InvalidOperationException storage = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Client.GetGrain<IDefaultStorageGrain>("k").Read());
        Assert.Contains("No grain storage named 'Default'", storage.Message, StringComparison.Ordinal);
        InvalidOperationException missing = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Client.GetGrain<IUnimplementedGrain>("k").Nothing());
        Assert.Contains(typeof(IUnimplementedGrain).FullName!, missing.Message, StringComparison.Ordinal);
    }
}
