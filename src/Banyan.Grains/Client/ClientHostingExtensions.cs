using System.Net;
using Banyan.Grains.Client;
using Banyan.Grains.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Banyan.Grains;

/// <summary>Adds a cluster client to a host (as Orleans' <c>UseOrleansClient</c>), or builds one directly.</summary>
public static class ClientHostingExtensions
{
    /// <summary>Adds an <see cref="IClusterClient"/> to the host's services.</summary>
    public static IHostApplicationBuilder UseOrleansClient(this IHostApplicationBuilder builder, Action<IClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddClient(builder.Services, builder.Configuration, configure);
        return builder;
    }

    /// <summary>Adds the client services to a service collection.</summary>
    public static IServiceCollection AddOrleansClient(this IServiceCollection services, IConfiguration configuration, Action<IClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddClient(services, configuration, configure);
        return services;
    }

    private static void AddClient(IServiceCollection services, IConfiguration configuration, Action<IClientBuilder> configure)
    {
        ClientBuilder client = new(services, configuration);
        services.AddOptions();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ClusterClient>();
        services.AddSingleton<IClusterClient>(sp => sp.GetRequiredService<ClusterClient>());
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<ClusterClient>());
        configure(client);
        if (!services.Any(d => d.ServiceType == typeof(IGatewayListProvider)))
        {
            client.UseLocalhostClustering();
        }
    }

    /// <summary>Connects to a silo on loopback (gateway port 30000 by default) over HTTP/2.</summary>
    public static IClientBuilder UseLocalhostClustering(this IClientBuilder builder, int gatewayPort = 30000)
        => builder.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));

    /// <summary>Connects to a fixed list of gateways over HTTP/2.</summary>
    public static IClientBuilder UseStaticClustering(this IClientBuilder builder, params IPEndPoint[] gateways)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IGatewayListProvider>();
        builder.Services.RemoveAll<IGatewayTransport>();
        builder.Services.AddSingleton<IGatewayListProvider>(new StaticGatewayListProvider(gateways));
        builder.Services.AddSingleton<IGatewayTransport, Http2GatewayTransport>();
        return builder;
    }

    /// <summary>Finds gateways in a membership table and connects over HTTP/2.</summary>
    public static IClientBuilder UseMembershipTable(this IClientBuilder builder, IMembershipTable table)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IGatewayListProvider>();
        builder.Services.AddSingleton<IGatewayListProvider>(new MembershipGatewayListProvider(table));
        builder.Services.TryAddSingleton<IGatewayTransport, Http2GatewayTransport>();
        return builder;
    }

    /// <summary>Finds gateways in the PostgreSQL membership table of <paramref name="clusterId"/> and connects over HTTP/2.</summary>
    public static IClientBuilder UsePostgreSqlClustering(this IClientBuilder builder, string connectionString, string clusterId = "dev")
        => builder.UseMembershipTable(new PostgreSqlMembershipTable(connectionString, clusterId));

    /// <summary>Connects through an in-process network (tests), finding gateways in <paramref name="table"/>.</summary>
    public static IClientBuilder UseInMemoryTransport(this IClientBuilder builder, InMemoryNetwork network, IMembershipTable table)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IGatewayListProvider>();
        builder.Services.RemoveAll<IGatewayTransport>();
        builder.Services.AddSingleton<IGatewayListProvider>(new MembershipGatewayListProvider(table));
        builder.Services.AddSingleton<IGatewayTransport>(new InMemorySiloTransport(network));
        return builder;
    }

    /// <summary>Configures an options type of the client.</summary>
    public static IClientBuilder Configure<TOptions>(this IClientBuilder builder, Action<TOptions> configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }
}
