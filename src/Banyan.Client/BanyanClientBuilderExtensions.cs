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
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public static IClientBuilder AddBanyanClient(this IClientBuilder builder, BanyanClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        BanyanClusterOptions cluster = options.Cluster;
        switch (cluster.Mode)
        {
            case ClusterMode.Localhost:
                if (options.GatewayPorts.Count == 0)
                {
                    throw new ArgumentException("GatewayPorts must name at least one gateway port with Localhost clustering.", nameof(options));
                }

                builder.UseLocalhostClustering([.. options.GatewayPorts], cluster.ServiceId, cluster.ClusterId);
                break;
            case ClusterMode.Redis:
                if (string.IsNullOrWhiteSpace(cluster.RedisConnectionString))
                {
                    throw new ArgumentException("Cluster:RedisConnectionString is required with Redis clustering (e.g. 127.0.0.1:6379).", nameof(options));
                }

                builder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.RedisConnectionString));
                builder.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
                break;
            case ClusterMode.External:
                break;
            default:
                throw new ArgumentException($"Cluster:Mode {cluster.Mode} is not one of Localhost, Redis, External.", nameof(options));
        }

        builder.Services.AddSerializer(serializer => serializer.AddBanyanSerializers());
        return builder;
    }
}
