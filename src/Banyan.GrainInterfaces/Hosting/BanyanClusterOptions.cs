namespace Banyan.GrainInterfaces.Hosting;

/// <summary>How silos find each other and clients find silos.</summary>
public enum ClusterMode
{
    /// <summary>
    /// One silo on 127.0.0.1 (the embedded default). With <see cref="BanyanClusterOptions.PrimarySiloEndpoint"/>
    /// set, several silo processes on one machine join the silo at that endpoint (development and benchmarks).
    /// </summary>
    Localhost,

    /// <summary>Membership in Redis (<see cref="BanyanClusterOptions.RedisConnectionString"/>): deployments of more than one silo.</summary>
    Redis,

    /// <summary>
    /// Membership set up outside Banyan's wiring: by Orleans' own configuration section
    /// (<c>Orleans:Clustering</c>) or a test host such as Orleans' TestCluster, which also sets endpoints.
    /// </summary>
    External,
}

/// <summary>
/// Cluster settings shared by silos and clients (configuration section <c>Silo:Cluster</c> on a silo).
/// Lives beside the grain interfaces because both sides reference that project.
/// </summary>
public sealed class BanyanClusterOptions
{
    /// <summary>How membership works; <see cref="ClusterMode.Localhost"/> by default.</summary>
    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;

    /// <summary>Orleans' cluster id: silos and clients of one cluster share it.</summary>
    public string ClusterId { get; set; } = "banyan";

    /// <summary>Orleans' service id: stays the same across deployments of one service (it keys Redis grain state).</summary>
    public string ServiceId { get; set; } = "banyan";

    /// <summary>StackExchange.Redis connection string (e.g. <c>127.0.0.1:6379</c>), required in <see cref="ClusterMode.Redis"/>.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// <see cref="ClusterMode.Localhost"/> only: <c>host:port</c> of the primary silo's silo-to-silo
    /// endpoint that other silo processes on this machine join. Empty: this silo is alone (or primary).
    /// </summary>
    public string? PrimarySiloEndpoint { get; set; }
}
