using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Groups;
using Banyan.Grains.Hosting;
using Banyan.Grains.Writes;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains.Queries;

/// <summary>
/// Which segments and shards each group has, as this silo's query path knows it (a singleton per silo): the listing a
/// group grain gave (<see cref="IGroupGrain.GetSegmentListing"/>) is kept for its lease, and queries in that time are
/// answered from it instead of asking the group grain each time (one grain call less per query: about 5 % of a query
/// of one series, docs/benchmarks.md).
/// </summary>
/// <remarks>
/// Why a kept listing is not stale: the group grain acknowledges a registration of new shards only after every lease it
/// gave before has run out, and a lease is counted here from before the request was sent, so it runs out here first.
/// A write acknowledged before a query starts is therefore either in the listing or the listing's lease is over.
/// Segments that expire while a listing is kept are left out here by the group's TTL at the instant of the query, as the
/// grain would; a listing of another incarnation of the group (deleted and created again) is never used.
/// </remarks>
public sealed class SegmentListings(IGrainFactory grains, [FromKeyedServices(BanyanClock.Key)] TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Kept> _groups = new(StringComparer.Ordinal);

    /// <summary>
    /// The live segments of <paramref name="group"/> holding some instant of [<paramref name="begin"/>,
    /// <paramref name="end"/>] (ns, inclusive), ascending, as <see cref="IGroupGrain.GetSegments"/> answers.
    /// </summary>
    internal async Task<ImmutableArray<SegmentInfo>> GetSegmentsAsync(string group, GroupSettings settings, long begin, long end)
    {
        if (!_groups.TryGetValue(group, out Kept? kept) || kept.Listing.GroupRevision != settings.CreateRevision || Stopwatch.GetTimestamp() >= kept.ValidUntil)
        {
            long asked = Stopwatch.GetTimestamp();
            SegmentListing listing = await grains.GetGrainCached<IGroupGrain>(group).GetSegmentListing();
            kept = new Kept(listing, asked + (long)(listing.Lease.TotalSeconds * Stopwatch.Frequency));
            if (listing.GroupRevision != settings.CreateRevision)
            {
                // Only segments of another incarnation of the group, or none: nothing to read, nothing to keep.
                return [];
            }

            _groups[group] = kept;
        }

        return settings.Readable(kept.Listing.Segments, clock.GetUtcNow(), begin, end);
    }

    private sealed record Kept(SegmentListing Listing, long ValidUntil);
}
