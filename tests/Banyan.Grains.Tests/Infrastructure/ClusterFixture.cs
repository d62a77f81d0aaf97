using Banyan.Grains.Testing;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>A two-silo in-memory cluster shared by the tests of a collection (see README.md).</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        TestClusterBuilder builder = new(2);
        builder.AddSiloBuilderConfigurator(new SiloConfigurator(silo => silo.AddMemoryGrainStorage("Default")));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedClusterDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Shared two-silo cluster";
}

/// <summary>Builds single-purpose clusters for tests that need their own clock or settings.</summary>
public static class Clusters
{
    public static async Task<TestCluster> StartAsync(short silos, Action<ISiloBuilder>? configure = null, bool network = false)
    {
        TestClusterBuilder builder = new(silos);
        builder.Options.UseNetworkTransport = network;
        if (configure is not null)
        {
            builder.AddSiloBuilderConfigurator(new SiloConfigurator(configure));
        }

        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
