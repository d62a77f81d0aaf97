using System.Net;
using Banyan.Grains.Membership;
using Banyan.Grains.Runtime;
using Banyan.Grains.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Banyan.Grains;

/// <summary>Adds a silo to a Microsoft.Extensions.Hosting host (as Orleans' <c>UseOrleans</c>).</summary>
public static class SiloHostingExtensions
{
    /// <summary>Adds a silo to the host; the silo starts and stops with it.</summary>
    public static IHostApplicationBuilder UseOrleans(this IHostApplicationBuilder builder, Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddSilo(builder.Services, builder.Configuration, configure);
        return builder;
    }

    /// <summary>Adds a silo to the host; the silo starts and stops with it.</summary>
    public static IHostBuilder UseOrleans(this IHostBuilder builder, Action<HostBuilderContext, ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.ConfigureServices((context, services) => AddSilo(services, context.Configuration, silo => configure(context, silo)));
    }

    /// <summary>Adds a silo to the host; the silo starts and stops with it.</summary>
    public static IHostBuilder UseOrleans(this IHostBuilder builder, Action<ISiloBuilder> configure)
        => builder.UseOrleans((_, silo) => configure(silo));

    private static void AddSilo(IServiceCollection services, IConfiguration configuration, Action<ISiloBuilder> configure)
    {
        if (services.Any(d => d.ServiceType == typeof(SiloRuntime)))
        {
            throw new InvalidOperationException("UseOrleans was called twice on one host; a host runs one silo.");
        }

        SiloBuilder silo = new(services, configuration);
        services.AddOptions();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SiloRuntime>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<SiloRuntime>().GrainFactory);
        services.AddSingleton<IClusterClient>(sp => new SiloClusterClient(sp.GetRequiredService<SiloRuntime>(), sp));
        services.AddSingleton<ISiloStatus>(sp => new SiloStatusView(sp.GetRequiredService<SiloRuntime>()));
        services.AddHostedService<SiloHostedService>();
        configure(silo);
        // Defaults when the configuration chose none: an embedded single silo on loopback.
        if (!services.Any(d => d.ServiceType == typeof(ISiloTransport)))
        {
            silo.UseLocalhostClustering();
        }
    }

    /// <summary>
    /// One silo on loopback (the embedded default): silo port 11111 and gateway port 30000 over
    /// HTTP/2, with an in-process membership table.
    /// </summary>
    public static ISiloBuilder UseLocalhostClustering(this ISiloBuilder builder, int siloPort = 11111, int gatewayPort = 30000)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = IPAddress.Loopback;
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
        });
        builder.Services.RemoveAll<ISiloTransport>();
        builder.Services.RemoveAll<IMembershipTable>();
        builder.Services.AddSingleton<ISiloTransport, Http2SiloTransport>();
        builder.Services.AddSingleton<IMembershipTable, InMemoryMembershipTable>();
        return builder;
    }

    /// <summary>
    /// A cluster over HTTP/2 whose membership is a fixed list of silo endpoints (silo ports).
    /// Each silo still probes the others and drops the ones that stop answering from its own view.
    /// </summary>
    public static ISiloBuilder UseStaticClustering(this ISiloBuilder builder, params IPEndPoint[] silos)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ISiloTransport>();
        builder.Services.RemoveAll<IMembershipTable>();
        builder.Services.AddSingleton<ISiloTransport, Http2SiloTransport>();
        builder.Services.AddSingleton<IMembershipTable>(sp => new StaticMembershipTable(silos, sp.GetRequiredService<ISiloTransport>()));
        return builder;
    }

    /// <summary>A cluster over HTTP/2 whose membership table lives in PostgreSQL (silos find each other there; dead silos are marked there).</summary>
    public static ISiloBuilder UsePostgreSqlClustering(this ISiloBuilder builder, string connectionString, string clusterId = "dev")
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ISiloTransport>();
        builder.Services.RemoveAll<IMembershipTable>();
        builder.Services.AddSingleton<ISiloTransport, Http2SiloTransport>();
        builder.Services.AddSingleton<IMembershipTable>(_ => new PostgreSqlMembershipTable(connectionString, clusterId));
        return builder;
    }

    /// <summary>Uses an explicit membership table (e.g. one shared by the silos of a test, or a custom store).</summary>
    public static ISiloBuilder UseMembershipTable(this ISiloBuilder builder, IMembershipTable table)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IMembershipTable>();
        builder.Services.AddSingleton(table);
        return builder;
    }

    /// <summary>Uses the network transport (HTTP/2 over Kestrel and HttpClient) with the ports of <see cref="EndpointOptions"/>.</summary>
    public static ISiloBuilder UseNetworkTransport(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ISiloTransport>();
        builder.Services.AddSingleton<ISiloTransport, Http2SiloTransport>();
        return builder;
    }

    /// <summary>Uses an in-process network shared with other silos and clients of the same process (tests).</summary>
    public static ISiloBuilder UseInMemoryTransport(this ISiloBuilder builder, InMemoryNetwork network)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ISiloTransport>();
        builder.Services.AddSingleton<ISiloTransport>(new InMemorySiloTransport(network));
        return builder;
    }

    /// <summary>Sets the endpoint options.</summary>
    public static ISiloBuilder ConfigureEndpoints(this ISiloBuilder builder, IPAddress advertisedIP, int siloPort, int gatewayPort)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertisedIP;
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
        });
        return builder;
    }

    /// <summary>Configures an options type of the silo.</summary>
    public static ISiloBuilder Configure<TOptions>(this ISiloBuilder builder, Action<TOptions> configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds services to the silo.</summary>
    public static ISiloBuilder ConfigureServices(this ISiloBuilder builder, Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.Services);
        return builder;
    }
}

/// <summary>What a silo host can tell about its silo (for health endpoints and tests).</summary>
public interface ISiloStatus
{
    /// <summary>This silo's address.</summary>
    SiloAddress SiloAddress { get; }

    /// <summary>The active silos this silo knows of.</summary>
    IReadOnlyList<SiloAddress> ActiveSilos { get; }

    /// <summary>Number of activations hosted here.</summary>
    int ActivationCount { get; }
}

internal sealed class SiloStatusView(SiloRuntime silo) : ISiloStatus
{
    public SiloAddress SiloAddress => silo.Address;

    public IReadOnlyList<SiloAddress> ActiveSilos => silo.ActiveSilos;

    public int ActivationCount => silo.ActivationCount;
}

internal sealed class SiloHostedService(SiloRuntime silo) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync();
}

/// <summary>The <see cref="IClusterClient"/> inside a silo host: calls enter the silo directly.</summary>
internal sealed class SiloClusterClient(SiloRuntime silo, IServiceProvider services) : IClusterClient
{
    public IServiceProvider ServiceProvider => services;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
        => silo.GrainFactory.GetGrain<TGrainInterface>(primaryKey);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey
        => silo.GrainFactory.GetGrain<TGrainInterface>(primaryKey);
}
