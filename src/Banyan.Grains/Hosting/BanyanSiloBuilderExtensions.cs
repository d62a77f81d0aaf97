using System.Net;
using Banyan.GrainInterfaces.Hosting;
using Banyan.GrainInterfaces.Serialization;
using Banyan.Grains.Placement;
using Banyan.Grains.Schema;
using Banyan.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using StackExchange.Redis;

namespace Banyan.Grains.Hosting;

/// <summary>
/// The one place a Banyan silo is wired. The silo host (<c>src/Banyan.Silo</c>) and every test
/// cluster configurator call <see cref="AddBanyan"/>, so tests run the configuration production runs.
/// </summary>
public static class BanyanSiloBuilderExtensions
{
    /// <summary>
    /// Wires a silo: its node name, clustering (<see cref="BanyanClusterOptions.Mode"/>), the grain
    /// storage provider named <see cref="BanyanGrainStorage.Name"/> (files or Redis), Banyan's
    /// serializers (protobuf messages, write batches), the shard and node-name placement directors, the silo's schema
    /// cache with its start-up loader, and the options
    /// the grains read (<see cref="BanyanSiloOptions"/> through <c>IOptions</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public static ISiloBuilder AddBanyan(this ISiloBuilder builder, BanyanSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        IServiceCollection services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.Configure<SiloOptions>(o => o.SiloName = options.NodeName);
        ConfigureClustering(builder, options);
        ConfigureGrainStorage(builder, options);
        services.AddSerializer(serializer => serializer.AddBanyanSerializers());
        builder.AddPlacementDirector<ShardPlacementStrategy, ShardPlacementDirector>();
        AddSchemaCatalog(builder);
        AddWritePath(builder);
        return builder;
    }

    // The metadata grain's clock, this silo's schema cache, the per-silo cache grain's placement and the loader that
    // fills the cache when the silo starts.
    private static void AddSchemaCatalog(ISiloBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SchemaCache>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaCacheLoader>();
        builder.AddPlacementDirector<NodeNamePlacementStrategy, NodeNamePlacementDirector>();
    }

    // The data clock (expiry, rotation), the per-silo write routing cache and segment listings, the decoded-block and TopN list caches and the memory budget every shard shares,
    // the registry of shards open here that queries read without a grain call, the joining of shard writes per shard, the measure query runner the gRPC service calls without a grain hop, and the start-up pass that wakes every
    // group grain so its segment lifecycle runs even before the first write after a restart.
    private static void AddWritePath(ISiloBuilder builder)
    {
        builder.Services.TryAddKeyedSingleton(BanyanClock.Key, TimeProvider.System);
        builder.Services.AddSingleton<Writes.WriteRouting>();
        builder.Services.AddSingleton<Queries.SegmentListings>();
        builder.Services.AddSingleton<Shards.ShardBlockCache>();
        builder.Services.AddSingleton<Shards.ShardMemoryBudget>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<Shards.ShardMemoryBudget>());
        builder.Services.AddSingleton<TopN.ShardTopNListCache>();
        builder.Services.AddSingleton<Shards.LocalShards>();
        builder.Services.AddSingleton<Writes.ShardWriteCoalescer>();
        builder.Services.AddSingleton<Queries.MeasureQueryRunner>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Groups.GroupLifecycleStarter>();
    }

    private static void ConfigureClustering(ISiloBuilder builder, BanyanSiloOptions options)
    {
        BanyanClusterOptions cluster = options.Cluster;
        switch (cluster.Mode)
        {
            case ClusterMode.Localhost:
                IPEndPoint? primary = string.IsNullOrEmpty(cluster.PrimarySiloEndpoint) ? null : IPEndPoint.Parse(cluster.PrimarySiloEndpoint);
                builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, cluster.ServiceId, cluster.ClusterId);
                break;
            case ClusterMode.Redis:
                builder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.RedisConnectionString!));
                builder.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
                builder.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = IPAddress.Parse(options.AdvertisedAddress);
                    o.SiloPort = options.SiloPort;
                    o.GatewayPort = options.GatewayPort;
                });
                break;
            case ClusterMode.External:
                // Membership and endpoints come from Orleans' own configuration or the test host.
                break;
            default:
                throw new ArgumentException($"Silo:Cluster:Mode {cluster.Mode} is not one of Localhost, Redis, External.");
        }
    }

    private static void ConfigureGrainStorage(ISiloBuilder builder, BanyanSiloOptions options)
    {
        switch (options.GrainStorage)
        {
            case GrainStorageMode.File:
                string root = options.GrainStateFullPath;
                builder.Services.AddGrainStorage(BanyanGrainStorage.Name, (sp, _) => new FileGrainStorage(
                    root,
                    sp.GetRequiredService<IGrainStorageSerializer>(),
                    sp.GetRequiredService<IActivatorProvider>()));
                break;
            case GrainStorageMode.Redis:
                string connection = options.Cluster.RedisConnectionString!;
                builder.AddRedisGrainStorage(BanyanGrainStorage.Name, o => o.ConfigurationOptions = ConfigurationOptions.Parse(connection));
                break;
            default:
                throw new ArgumentException($"Silo:GrainStorage {options.GrainStorage} is not one of File, Redis.");
        }
    }
}
