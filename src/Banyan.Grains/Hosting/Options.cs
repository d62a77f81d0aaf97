using System.Net;

namespace Banyan.Grains;

/// <summary>Identity of the cluster (as Orleans' <c>ClusterOptions</c>): silos and clients with the same ClusterId form one cluster.</summary>
public sealed class ClusterOptions
{
    /// <summary>The cluster id; membership rows of other clusters are ignored.</summary>
    public string ClusterId { get; set; } = "dev";

    /// <summary>The service id; grain state keys include it, so it must stay the same across deployments.</summary>
    public string ServiceId { get; set; } = "dev";
}

/// <summary>Network endpoints of a silo (as Orleans' <c>EndpointOptions</c>).</summary>
public sealed class EndpointOptions
{
    /// <summary>The address other silos and clients use to reach this silo.</summary>
    public IPAddress AdvertisedIPAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The silo-to-silo port (default 11111).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The client gateway port (default 30000); 0 for no gateway.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address to listen on; the advertised address when null.</summary>
    public IPAddress? ListenIPAddress { get; set; }
}

/// <summary>Idle collection and activation life-cycle limits (as Orleans' <c>GrainCollectionOptions</c>).</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>How long an activation may stay idle before it is deactivated (default 15 minutes).</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for (default 1 minute).</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The cancellation deadline given to OnActivateAsync (default 30 seconds).</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The cancellation deadline given to OnDeactivateAsync, and the wait for it at shutdown (default 30 seconds).</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Messaging limits of a silo (as Orleans' <c>SiloMessagingOptions</c>).</summary>
public sealed class SiloMessagingOptions
{
    /// <summary>How long a caller waits for a response before a <see cref="TimeoutException"/> (default 30 seconds).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Messaging limits of a client (as Orleans' <c>ClientMessagingOptions</c>).</summary>
public sealed class ClientMessagingOptions
{
    /// <summary>How long a caller waits for a response, including gateway retries (default 30 seconds).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause between rounds over the gateway list when none answers (default 200 ms).</summary>
    public TimeSpan GatewayRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>Failure detection (as Orleans' <c>ClusterMembershipOptions</c>, simplified: one prober per silo, no votes).</summary>
public sealed class ClusterMembershipOptions
{
    /// <summary>Interval of liveness probes to each other silo, and the time one probe may take (default 2 seconds).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive failed probes after which a silo is declared dead (default 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>How often the membership table is re-read (default 5 seconds); changes are also pushed to live silos at once.</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
