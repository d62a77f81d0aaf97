using Banyan.GrainInterfaces.Hosting;

namespace Banyan.Client;

/// <summary>How a client finds the cluster (the client-side mirror of the silo's <c>Silo:Cluster</c> settings).</summary>
public sealed class BanyanClientOptions
{
    /// <summary>Membership: <see cref="ClusterMode.Localhost"/> (gateways on 127.0.0.1), <see cref="ClusterMode.Redis"/> or <see cref="ClusterMode.External"/>.</summary>
    public BanyanClusterOptions Cluster { get; set; } = new();

    /// <summary><see cref="ClusterMode.Localhost"/>: the silos' gateway ports on 127.0.0.1 (the silo default is 30000).</summary>
    public IList<int> GatewayPorts { get; } = [30000];
}
