using Banyan.GrainInterfaces.Hosting;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Schema;
using Banyan.Storage.Shards;
using Banyan.Storage.TimeSegments;

namespace Banyan.Grains.Hosting;

/// <summary>Where grain state is kept.</summary>
public enum GrainStorageMode
{
    /// <summary>
    /// Files under <c>&lt;DataRoot&gt;/_grains/</c> (<see cref="Storage.FileGrainStorage"/>): the embedded
    /// single-silo default. State on one silo's disk is invisible to the others, so clusters use Redis.
    /// </summary>
    File,

    /// <summary>Orleans' Redis grain storage at <see cref="BanyanClusterOptions.RedisConnectionString"/>: clusters of several silos.</summary>
    Redis,
}

/// <summary>
/// Everything <see cref="BanyanSiloBuilderExtensions.AddBanyan"/> needs to wire a silo. The silo host
/// binds it from the <c>Silo</c> configuration section (<c>silo-config/silo.json</c>, environment
/// variables such as <c>Silo__NodeName</c>, command-line keys such as <c>--Silo:NodeName=</c>); test
/// clusters build it in code. Defaults are the embedded single-silo set-up on 127.0.0.1.
/// </summary>
public sealed class BanyanSiloOptions
{
    /// <summary>The configuration section the silo host binds these options from.</summary>
    public const string SectionName = "Silo";

    /// <summary>Name of the folder under <see cref="DataRoot"/> that holds file grain state.</summary>
    public const string GrainStateFolder = "_grains";

    /// <summary>
    /// This silo's stable name (Orleans' <c>SiloOptions.SiloName</c>): shards are assigned to node names,
    /// which survive restarts while addresses do not. On Kubernetes, the StatefulSet pod name.
    /// </summary>
    public string NodeName { get; set; } = "node-0";

    /// <summary>Root folder of this silo's data: <c>&lt;group&gt;/seg-…/shard-…/</c> folders and <c>_grains/</c>. Relative paths are taken from the working directory.</summary>
    public string DataRoot { get; set; } = "data";

    /// <summary>Folder of the file grain storage; empty means <c>&lt;DataRoot&gt;/_grains</c>. Silos sharing one folder (one process, as the test cluster does) share their grain state.</summary>
    public string? GrainStateRoot { get; set; }

    /// <summary>Where grain state is kept.</summary>
    public GrainStorageMode GrainStorage { get; set; } = GrainStorageMode.File;

    /// <summary>Membership (and, for Redis, the connection string).</summary>
    public BanyanClusterOptions Cluster { get; set; } = new();

    /// <summary>Silo-to-silo port (<see cref="ClusterMode.Localhost"/> and <see cref="ClusterMode.Redis"/>).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port (<see cref="ClusterMode.Localhost"/> and <see cref="ClusterMode.Redis"/>).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address the silo advertises and listens on. 127.0.0.1 by default so a fresh silo is not exposed.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Shard grain timers.</summary>
    public ShardGrainOptions Shard { get; set; } = new();

    /// <summary>Schema catalog and cache settings.</summary>
    public SchemaOptions Schema { get; set; } = new();

    /// <summary>Write path settings.</summary>
    public WriteOptions Write { get; set; } = new();

    /// <summary>Segment lifecycle settings.</summary>
    public SegmentOptions Segments { get; set; } = new();

    /// <summary>Limits of the query path (<c>Silo:Query</c>).</summary>
    public Queries.QueryOptions Query { get; set; } = new();

    /// <summary>TopN pre-aggregation settings (<c>Silo:TopN</c>).</summary>
    public TopN.TopNOptions TopN { get; set; } = new();

    /// <summary>The data root as an absolute path.</summary>
    public string DataRootFullPath => Path.GetFullPath(DataRoot);

    /// <summary>The file grain storage folder as an absolute path.</summary>
    public string GrainStateFullPath => string.IsNullOrEmpty(GrainStateRoot) ? Path.Combine(DataRootFullPath, GrainStateFolder) : Path.GetFullPath(GrainStateRoot);

    /// <summary>The folder of one engine shard: <c>&lt;DataRoot&gt;/&lt;group&gt;/seg-&lt;yyyyMMddHH&gt;/shard-&lt;n&gt;</c>.</summary>
    /// <remarks>Folder names come from the engine (<see cref="SegmentAlignment"/>, <see cref="Segment{TShard}.ShardFolderPrefix"/>), so grains and the engine's segment controller agree.</remarks>
    public string ShardFolder(ShardGrainKey key)
        => Path.Combine(
            DataRootFullPath,
            key.Group,
            SegmentAlignment.FolderName(key.SegmentStart),
            Segment<Shard>.ShardFolderPrefix + key.Shard.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Checks the settings; the message names the configuration key and the reason.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeName))
        {
            throw new ArgumentException("Silo:NodeName must not be empty: shards are assigned to node names.");
        }

        if (string.IsNullOrWhiteSpace(DataRoot))
        {
            throw new ArgumentException("Silo:DataRoot must not be empty.");
        }

        if (Cluster.Mode != ClusterMode.External)
        {
            CheckPort(SiloPort, "Silo:SiloPort");
            CheckPort(GatewayPort, "Silo:GatewayPort");
            if (!System.Net.IPAddress.TryParse(AdvertisedAddress, out _))
            {
                throw new ArgumentException($"Silo:AdvertisedAddress '{AdvertisedAddress}' is not an IP address.");
            }
        }

        bool redisNeeded = Cluster.Mode == ClusterMode.Redis || GrainStorage == GrainStorageMode.Redis;
        if (redisNeeded && string.IsNullOrWhiteSpace(Cluster.RedisConnectionString))
        {
            throw new ArgumentException("Silo:Cluster:RedisConnectionString is required with Redis clustering or Redis grain storage (e.g. 127.0.0.1:6379).");
        }

        if (Cluster.Mode == ClusterMode.Redis && GrainStorage == GrainStorageMode.File)
        {
            throw new ArgumentException("Silo:GrainStorage=File cannot serve Silo:Cluster:Mode=Redis: grain state written on one silo's disk is not seen when the grain activates on another silo (group shard assignments would be lost). Set Silo:GrainStorage=Redis.");
        }

        if (!string.IsNullOrEmpty(Cluster.PrimarySiloEndpoint) && Cluster.Mode != ClusterMode.Localhost)
        {
            throw new ArgumentException("Silo:Cluster:PrimarySiloEndpoint applies only to Silo:Cluster:Mode=Localhost.");
        }

        if (!string.IsNullOrEmpty(Cluster.PrimarySiloEndpoint) && !System.Net.IPEndPoint.TryParse(Cluster.PrimarySiloEndpoint, out _))
        {
            throw new ArgumentException($"Silo:Cluster:PrimarySiloEndpoint '{Cluster.PrimarySiloEndpoint}' is not ip:port.");
        }

        Shard.Validate();
        TopN.Validate();
        Schema.Validate();
        Write.Validate();
        Query.Validate();
        Segments.Validate();
    }

    private static void CheckPort(int port, string key)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"{key} is {port}; a port is 1 to 65535.");
        }
    }
}
