using Banyan.GrainInterfaces.Hosting;
using Banyan.GrainInterfaces.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using StackExchange.Redis;

namespace Banyan.Client;

/// <summary>The client-side mirror of the silo's <c>AddBanyan</c>: clustering and Banyan's serializers.</summary>
public static class BanyanClientBuilderExtensions
{
    /// <summary>Wires an Orleans client for a Banyan cluster.</summary>
    /// <exception cref="BanyanClientSettingException">The options are invalid; the message names the setting (as a key under <c>Banyan:Client</c>).</exception>
    public static IClientBuilder AddBanyanClient(this IClientBuilder builder, BanyanClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        BanyanClusterOptions cluster = options.Cluster;
        switch (cluster.Mode)
        {
            case ClusterMode.Localhost:
                builder.UseLocalhostClustering([.. options.GatewayPorts], cluster.ServiceId, cluster.ClusterId);
                break;
            case ClusterMode.Redis:
                builder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.RedisConnectionString!));
                builder.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
                break;
            default:
                // External: membership is set up by Orleans' own configuration or a test host.
                break;
        }

        builder.Services.AddSerializer(serializer => serializer.AddBanyanSerializers());
        return builder;
    }
}
