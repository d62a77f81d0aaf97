using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// One three-silo TestCluster (in-memory transport) shared by every test class of the
/// <see cref="SharedClusterDefinition"/>: starting a cluster costs seconds, so tests share it and use
/// their own group names. Tests that stop a silo start an additional one and stop only that.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-cluster-" + Guid.NewGuid().ToString("N"));

    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>Root of the silos' data folders: <c>&lt;root&gt;/&lt;silo name&gt;/…</c>.</summary>
    public string DataRoot => _root;

    /// <summary>Number of silos started with the cluster.</summary>
    protected virtual short InitialSilos => 3;

    /// <summary>The client.</summary>
    public IClusterClient Client => Cluster.Client;

    /// <summary>The data folder of the silo named <paramref name="siloName"/>.</summary>
    public string SiloDataRoot(string siloName) => Path.Combine(_root, siloName);

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        TestClusterBuilder builder = new(InitialSilos);
        builder.Properties[BanyanTestSiloConfigurator.DataRootProperty] = _root;
        builder.AddSiloBuilderConfigurator<BanyanTestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<BanyanTestClientConfigurator>();
        Configure(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await Cluster.DisposeAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Lets a derived fixture change the builder (transport, silo count).</summary>
    protected virtual void Configure(TestClusterBuilder builder)
    {
    }
}

/// <summary>The same cluster on TCP sockets between silos and to the client, for tests about the network; two silos.</summary>
public sealed class TcpClusterFixture : ClusterFixture
{
    /// <inheritdoc/>
    protected override short InitialSilos => 2;

    /// <inheritdoc/>
    protected override void Configure(TestClusterBuilder builder) => builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
}

/// <summary>Test classes sharing the in-memory three-silo cluster.</summary>
[CollectionDefinition(Name)]
public sealed class SharedClusterDefinition : ICollectionFixture<ClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "cluster";
}

/// <summary>Test classes sharing the TCP two-silo cluster.</summary>
[CollectionDefinition(Name)]
public sealed class TcpClusterDefinition : ICollectionFixture<TcpClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "tcp-cluster";
}
