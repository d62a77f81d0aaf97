using Banyan.Client.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Banyan.Client.Tests.Infrastructure;

/// <summary>
/// Three TestCluster silos wired by the production <c>AddBanyan</c> (over TCP, so an application's client can reach
/// their gateways) and one client host wired as an application wires it: <c>services.AddBanyanClient(configuration)</c>
/// from a <c>Banyan:Client</c> section naming the silos' gateway ports. The client carries <see cref="Faults"/>, and the
/// silos <see cref="ShardWriteFaults"/>. Shared by every test class of <see cref="ClientClusterDefinition"/>; tests use
/// their own group names.
/// </summary>
public sealed class ClientClusterFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-client-" + Guid.NewGuid().ToString("N"));
    private IHost? _clientHost;

    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The client under test, resolved from the client host.</summary>
    public BanyanClient Client => _clientHost!.Services.GetRequiredService<BanyanClient>();

    /// <summary>Faults injected into the client's write calls.</summary>
    public WriteCallFaults Faults { get; } = new();

    /// <summary>The <c>Banyan:Client</c> settings that reach the cluster (a copy to change).</summary>
    public Dictionary<string, string?> Settings()
    {
        Dictionary<string, string?> settings = new()
        {
            ["Banyan:Client:Cluster:Mode"] = "Localhost",
            ["Banyan:Client:Cluster:ClusterId"] = Cluster.Options.ClusterId,
            ["Banyan:Client:Cluster:ServiceId"] = Cluster.Options.ServiceId,
        };
        int i = 0;
        foreach (SiloHandle silo in Cluster.Silos)
        {
            settings[$"Banyan:Client:GatewayPorts:{i++}"] = silo.GatewayAddress.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        TestClusterBuilder builder = new(3);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.InitializeClientOnDeploy = false;
        builder.Properties[BanyanTestSiloConfigurator.DataRootProperty] = _root;
        builder.AddSiloBuilderConfigurator<BanyanTestSiloConfigurator>();
        builder.AddSiloBuilderConfigurator<ShardWriteFaultsConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));

        HostApplicationBuilder client = Host.CreateApplicationBuilder();
        client.Logging.SetMinimumLevel(LogLevel.Warning);
        client.Configuration.AddInMemoryCollection(Settings());
        client.Services.AddBanyanClient(client.Configuration);
        client.Services.AddSingleton<IOutgoingGrainCallFilter>(Faults);
        _clientHost = client.Build();
        await _clientHost.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        try
        {
            if (_clientHost is not null)
            {
                await _clientHost.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
                _clientHost.Dispose();
            }

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
}

/// <summary>Test classes sharing the cluster and the client.</summary>
[CollectionDefinition(Name)]
public sealed class ClientClusterDefinition : ICollectionFixture<ClientClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "client-cluster";
}
