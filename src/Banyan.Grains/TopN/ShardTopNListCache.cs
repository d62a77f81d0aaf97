using Banyan.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.TopN;

/// <summary>
/// The silo's one cache of stored TopN lists (<see cref="TopNListCache"/>), shared by every shard grain it hosts so that
/// its bound (<c>Silo:TopN:ListCacheMegabytes</c>) holds for the process.
/// </summary>
public sealed class ShardTopNListCache
{
    /// <summary>The cache of the silo configured by <paramref name="options"/>.</summary>
    public ShardTopNListCache(IOptions<BanyanSiloOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int megabytes = options.Value.TopN.ListCacheMegabytes;
        Cache = megabytes > 0 ? new TopNListCache(megabytes * (1L << 20)) : null;
    }

    /// <summary>The cache, or null when <c>Silo:TopN:ListCacheMegabytes</c> is 0.</summary>
    internal TopNListCache? Cache { get; }
}
