using System.Net;
using System.Net.Sockets;
using Banyan.Grains.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.Grains.Testing;

/// <summary>
/// Several silos and a client in one process (as Orleans' <c>TestCluster</c>). By default the silos
/// talk over an in-memory network that still encodes every message; with
/// <see cref="TestClusterOptions.UseNetworkTransport"/> they use HTTP/2 on 127.0.0.1. Membership
/// is an in-memory table shared by the silos and the client.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly ISiloConfigurator[] _siloConfigurators;
    private readonly IClientBuilderConfigurator[] _clientConfigurators;
    private readonly InMemoryNetwork _network = new();
    private readonly InMemoryMembershipTable _membership = new();
    private readonly List<SiloHandle> _silos = [];
    private readonly IConfiguration _configuration = new ConfigurationBuilder().Build();
    private ServiceProvider? _client;
    private int _siloCounter;

    internal TestCluster(TestClusterOptions options, ISiloConfigurator[] siloConfigurators, IClientBuilderConfigurator[] clientConfigurators)
    {
        _options = options;
        _siloConfigurators = siloConfigurators;
        _clientConfigurators = clientConfigurators;
    }

    /// <summary>The cluster's options.</summary>
    public TestClusterOptions Options => _options;

    /// <summary>The client connected to the cluster's gateways.</summary>
    public IClusterClient Client => _client?.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("Call DeployAsync first.");

    /// <summary>The client's grain factory.</summary>
    public IGrainFactory GrainFactory => Client;

    /// <summary>The client's services.</summary>
    public IServiceProvider ServiceProvider => _client ?? throw new InvalidOperationException("Call DeployAsync first.");

    /// <summary>Running silos, in start order.</summary>
    public IReadOnlyList<SiloHandle> Silos => _silos.Where(s => s.IsActive).ToList();

    /// <summary>The first running silo.</summary>
    public SiloHandle Primary => Silos[0];

    /// <summary>Running silos other than <see cref="Primary"/>.</summary>
    public IReadOnlyList<SiloHandle> SecondarySilos => Silos.Skip(1).ToList();

    /// <summary>Starts the initial silos and the client.</summary>
    public async Task DeployAsync()
    {
        for (int i = 0; i < _options.InitialSilosCount; i++)
        {
            await StartSiloAsync(null, 0, 0).ConfigureAwait(false);
        }

        ServiceCollection services = new();
        services.AddOrleansClient(_configuration, client =>
        {
            if (_options.UseNetworkTransport)
            {
                client.UseMembershipTable(_membership);
            }
            else
            {
                client.UseInMemoryTransport(_network, _membership);
            }

            foreach (IClientBuilderConfigurator configurator in _clientConfigurators)
            {
                configurator.Configure(_configuration, client);
            }
        });
        _client = services.BuildServiceProvider();
    }

    /// <summary>Starts one more silo.</summary>
    public Task<SiloHandle> StartAdditionalSiloAsync() => StartSiloAsync(null, 0, 0);

    /// <summary>Stops a silo gracefully: its activations deactivate and it leaves the membership.</summary>
    public async Task StopSiloAsync(SiloHandle silo)
    {
        CheckOwned(silo);
        if (!silo.IsActive)
        {
            return;
        }

        silo.IsActive = false;
        await silo.Host.StopAsync().ConfigureAwait(false);
        silo.Host.Dispose();
    }

    /// <summary>Kills a silo as a crashed process would: nothing is deactivated; the others find out by probing.</summary>
    public async Task KillSiloAsync(SiloHandle silo)
    {
        CheckOwned(silo);
        if (!silo.IsActive)
        {
            return;
        }

        silo.IsActive = false;
        await silo.Host.Services.GetRequiredService<Runtime.SiloRuntime>().KillAsync().ConfigureAwait(false);
        await silo.Host.StopAsync().ConfigureAwait(false);
        silo.Host.Dispose();
    }

    /// <summary>Stops a silo gracefully and starts a new incarnation with the same name and ports.</summary>
    public async Task<SiloHandle> RestartSiloAsync(SiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await StopSiloAsync(silo).ConfigureAwait(false);
        return await StartSiloAsync(silo.Name, silo.SiloPort, silo.GatewayPort).ConfigureAwait(false);
    }

    /// <summary>Stops every silo gracefully.</summary>
    public async Task StopAllSilosAsync()
    {
        foreach (SiloHandle silo in Silos.Reverse())
        {
            await StopSiloAsync(silo).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the silos and the client.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAllSilosAsync().ConfigureAwait(false);
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<SiloHandle> StartSiloAsync(string? name, int siloPort, int gatewayPort)
    {
        int index = _siloCounter++;
        name ??= index == 0 ? "Primary" : $"Secondary_{index}";
        if (siloPort == 0)
        {
            (siloPort, gatewayPort) = _options.UseNetworkTransport ? (FreePort(), FreePort()) : (11111 + index, 30000 + index);
        }

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = name });
        int sp = siloPort;
        int gp = gatewayPort;
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => o.ClusterId = _options.ClusterId);
            silo.ConfigureEndpoints(IPAddress.Loopback, sp, gp);
            silo.UseMembershipTable(_membership);
            if (_options.UseNetworkTransport)
            {
                silo.UseNetworkTransport();
            }
            else
            {
                silo.UseInMemoryTransport(_network);
            }

            foreach (ISiloConfigurator configurator in _siloConfigurators)
            {
                configurator.Configure(silo);
            }
        });
        IHost host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        SiloHandle handle = new(name, siloPort, gatewayPort, host);
        _silos.Add(handle);
        return handle;
    }

    private void CheckOwned(SiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (!_silos.Contains(silo))
        {
            throw new ArgumentException($"Silo {silo} does not belong to this test cluster.", nameof(silo));
        }
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
