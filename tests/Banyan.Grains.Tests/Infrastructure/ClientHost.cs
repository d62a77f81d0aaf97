using Banyan.Client;
using Banyan.GrainInterfaces.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>An Orleans client process-side host wired by <c>AddBanyanClient</c>, started and stopped with bounds.</summary>
public sealed class ClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ClientHost(IHost host) => _host = host;

    /// <summary>The client.</summary>
    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects to silos on 127.0.0.1 through <paramref name="gatewayPorts"/>.</summary>
    public static Task<ClientHost> StartLocalhostAsync(params int[] gatewayPorts) => StartLocalhostAsync("banyan", gatewayPorts);

    /// <summary>Connects to the cluster <paramref name="clusterId"/> (also the service id) through <paramref name="gatewayPorts"/> on 127.0.0.1 only.</summary>
    public static Task<ClientHost> StartLocalhostAsync(string clusterId, params int[] gatewayPorts)
    {
        BanyanClientOptions options = new() { Cluster = new BanyanClusterOptions { Mode = ClusterMode.Localhost, ClusterId = clusterId, ServiceId = clusterId } };
        options.GatewayPorts.Clear();
        foreach (int port in gatewayPorts)
        {
            options.GatewayPorts.Add(port);
        }

        return StartAsync(options);
    }

    /// <summary>Connects through Redis clustering.</summary>
    public static Task<ClientHost> StartRedisAsync(string connectionString, string clusterId)
        => StartAsync(new BanyanClientOptions
        {
            Cluster = new BanyanClusterOptions { Mode = ClusterMode.Redis, RedisConnectionString = connectionString, ClusterId = clusterId, ServiceId = clusterId },
        });

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
        }

        _host.Dispose();
    }

    private static async Task<ClientHost> StartAsync(BanyanClientOptions options)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.AddBanyanClient(options));
        IHost host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new ClientHost(host);
    }
}
