using Banyan.Client.Writes;
using Banyan.GrainInterfaces.Hosting;
using StackExchange.Redis;

namespace Banyan.Client;

/// <summary>
/// How a client finds the cluster (the client-side mirror of the silo's <c>Silo:Cluster</c> settings) and the defaults of
/// its bulk writers. Bound from the configuration section <see cref="SectionName"/> by <c>AddBanyanClient</c>.
/// </summary>
public sealed class BanyanClientOptions
{
    /// <summary>The configuration section the DI extensions read by default.</summary>
    public const string SectionName = "Banyan:Client";

    /// <summary>Membership: <see cref="ClusterMode.Localhost"/> (gateways on 127.0.0.1), <see cref="ClusterMode.Redis"/> or <see cref="ClusterMode.External"/>.</summary>
    public BanyanClusterOptions Cluster { get; set; } = new();

    /// <summary><see cref="ClusterMode.Localhost"/>: the silos' gateway ports on 127.0.0.1 (the silo default is 30000).</summary>
    public IList<int> GatewayPorts { get; } = [30000];

    /// <summary>Defaults of the bulk writers (<c>CreateMeasureWriter</c>, <c>CreateStreamWriter</c>); a writer may override them.</summary>
    public BulkWriterOptions Writer { get; set; } = new();

    /// <summary>Checks the settings; the exception names the setting under <paramref name="sectionPath"/>.</summary>
    /// <exception cref="BanyanClientSettingException">A setting is missing or out of range.</exception>
    public void Validate(string sectionPath = SectionName)
    {
        BanyanClusterOptions cluster = Cluster ?? throw new BanyanClientSettingException(Key(sectionPath, "Cluster"), "is required");
        switch (cluster.Mode)
        {
            case ClusterMode.Localhost:
                if (GatewayPorts.Count == 0)
                {
                    throw new BanyanClientSettingException(Key(sectionPath, "GatewayPorts"), "must name at least one gateway port with Localhost clustering (the silo default is 30000)");
                }

                for (int i = 0; i < GatewayPorts.Count; i++)
                {
                    if (GatewayPorts[i] is < 1 or > 65535)
                    {
                        throw new BanyanClientSettingException(Key(sectionPath, $"GatewayPorts:{i}"), $"{GatewayPorts[i]} is not a TCP port (1-65535)");
                    }
                }

                break;
            case ClusterMode.Redis:
                if (string.IsNullOrWhiteSpace(cluster.RedisConnectionString))
                {
                    throw new BanyanClientSettingException(Key(sectionPath, "Cluster:RedisConnectionString"), "is required with Redis clustering (e.g. 127.0.0.1:6379)");
                }

                try
                {
                    ConfigurationOptions.Parse(cluster.RedisConnectionString);
                }
                catch (ArgumentException e)
                {
                    throw new BanyanClientSettingException(Key(sectionPath, "Cluster:RedisConnectionString"), $"'{cluster.RedisConnectionString}' is not a StackExchange.Redis connection string: {e.Message}");
                }

                break;
            case ClusterMode.External:
                break;
            default:
                throw new BanyanClientSettingException(Key(sectionPath, "Cluster:Mode"), $"{cluster.Mode} is not one of Localhost, Redis, External");
        }

        if (string.IsNullOrWhiteSpace(cluster.ClusterId))
        {
            throw new BanyanClientSettingException(Key(sectionPath, "Cluster:ClusterId"), "must not be empty (silos and clients of one cluster share it; the silo default is 'banyan')");
        }

        if (string.IsNullOrWhiteSpace(cluster.ServiceId))
        {
            throw new BanyanClientSettingException(Key(sectionPath, "Cluster:ServiceId"), "must not be empty (the silo default is 'banyan')");
        }

        (Writer ?? throw new BanyanClientSettingException(Key(sectionPath, "Writer"), "is required")).Validate(Key(sectionPath, "Writer"));
    }

    private static string Key(string sectionPath, string name) => string.IsNullOrEmpty(sectionPath) ? name : sectionPath + ":" + name;
}
