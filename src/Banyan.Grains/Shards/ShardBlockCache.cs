using Banyan.Grains.Hosting;
using Banyan.Grains.Telemetry;
using Banyan.Storage.Parts;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Shards;

/// <summary>
/// The silo's one decoded-block cache, shared by every shard grain the silo hosts so that its bound
/// (<c>Silo:Shard:BlockCacheMegabytes</c>) holds for the process, however many segments and shards it opens. Reported
/// at <c>/metrics</c> (<see cref="GrainMetrics"/>) while the silo runs.
/// </summary>
public sealed class ShardBlockCache : IDisposable
{
    /// <summary>The cache of the silo configured by <paramref name="options"/>.</summary>
    public ShardBlockCache(IOptions<BanyanSiloOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int megabytes = options.Value.Shard.BlockCacheMegabytes;
        if (megabytes > 0)
        {
            Cache = new DecodedBlockCache(megabytes * (1L << 20));
            GrainMetrics.AddBlockCache(Cache);
        }
    }

    /// <summary>The cache, or null when <c>Silo:Shard:BlockCacheMegabytes</c> is 0.</summary>
    public DecodedBlockCache? Cache { get; }

    /// <summary>Stops reporting the cache (the silo stopped).</summary>
    public void Dispose()
    {
        if (Cache is not null)
        {
            GrainMetrics.RemoveBlockCache(Cache);
        }
    }
}
