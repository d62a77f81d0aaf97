using Banyan.GrainInterfaces.Hosting;
using Banyan.Grains.Hosting;
using Banyan.Grains.Schema;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Banyan.Tests.Shared.Cluster;

/// <summary>
/// Wires every TestCluster silo with the production extension, <c>AddBanyan</c>. Each silo keeps
/// its shard data under <c>&lt;root&gt;/&lt;silo name&gt;</c> (names are stable: Primary, Secondary_1, …, so
/// a restarted silo finds its data); the file grain storage folder is shared by the silos of the
/// process, standing in for the one store a real cluster shares (Redis). Shared by the grain tests' clusters and the
/// conformance suites' <c>testcluster-grains</c> target.
/// </summary>
public sealed class BanyanTestSiloConfigurator : ISiloConfigurator
{
    /// <summary>The cluster property naming the root folder of the silos' data.</summary>
    public const string DataRootProperty = "BanyanTestDataRoot";

    /// <summary>The folder under the root shared by the silos for grain state.</summary>
    public const string SharedGrainStateFolder = "_shared_grain_state";

    /// <inheritdoc/>
    public void Configure(ISiloBuilder siloBuilder)
    {
        string name = siloBuilder.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name (Orleans:Name).");
        string root = siloBuilder.Configuration[DataRootProperty] ?? throw new InvalidOperationException($"The test cluster lacks the {DataRootProperty} property.");
        siloBuilder.AddBanyan(new BanyanSiloOptions
        {
            NodeName = name,
            DataRoot = Path.Combine(root, name),
            GrainStateRoot = Path.Combine(root, SharedGrainStateFolder),
            Cluster = new BanyanClusterOptions { Mode = ClusterMode.External },

            // A silo killed by a test is skipped by schema pushes after this long (production: 10 s).
            Schema = new SchemaOptions { CachePushTimeout = TimeSpan.FromSeconds(3) },
        });
    }
}

/// <summary>Wires the TestCluster client with the production client extension.</summary>
public sealed class BanyanTestClientConfigurator : IClientBuilderConfigurator
{
    /// <inheritdoc/>
    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder)
        => Banyan.Client.BanyanClientBuilderExtensions.AddBanyanClient(clientBuilder, new Banyan.Client.BanyanClientOptions { Cluster = new BanyanClusterOptions { Mode = ClusterMode.External } });
}
