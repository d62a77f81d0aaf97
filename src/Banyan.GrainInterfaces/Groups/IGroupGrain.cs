using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Banyan.GrainInterfaces.Groups;

/// <summary>
/// One group (key: the group name). Owns which silo holds which shard of the group (the assignment is persisted and
/// never moves by itself: a shard's data lives on its owner's disk) and the registry of the group's segments: which
/// exist, their time ranges and the shards that hold data. A grain timer creates the next segment ahead of its time and
/// drops expired ones (<see cref="Maintain"/>).
/// </summary>
public interface IGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// The owners of shards <c>0 .. <paramref name="shardNum"/> - 1</c>. Shards not yet assigned are
    /// assigned across the silos that are up now (fewest shards first, ties broken by node name),
    /// persisted, then returned; shards already assigned keep their owner whether it is up or not.
    /// </summary>
    /// <param name="shardNum">The group's shard count, 1 to <see cref="ShardOwners.MaxShards"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardNum"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">No silo is up to take a new shard.</exception>
    Task<ShardOwners> GetShardOwners(int shardNum);

    /// <summary>
    /// Registers that <paramref name="shards"/> of the segment starting at <paramref name="segmentStart"/> receive data,
    /// creating the segment's entry if needed; persisted before it returns, so a query finds every shard a write may
    /// have acknowledged rows in. The write path calls it once per new (segment, shards) per silo, before writing. When
    /// the registry changes, it returns only after every lease of a <see cref="GetSegmentListing"/> given before the
    /// change has run out (at most the lease, <c>Silo:Segments:ListingLease</c>), so a listing kept by a query path
    /// never hides a shard whose rows a write has acknowledged.
    /// </summary>
    /// <returns>The segment as registered; null when the segment has expired (its rows must not be written).</returns>
    /// <exception cref="Schema.SchemaNotFoundException">The group does not exist (or is not a stream or measure group).</exception>
    /// <exception cref="ArgumentException">The start is not a segment boundary of the group, or a shard is out of range.</exception>
    Task<SegmentInfo?> RegisterShards(DateTimeOffset segmentStart, ImmutableArray<int> shards);

    /// <summary>
    /// The segments holding some instant of [<paramref name="begin"/>, <paramref name="end"/>] (nanoseconds since the Unix
    /// epoch, both inclusive; <see cref="long.MinValue"/> and <see cref="long.MaxValue"/> are fine), ascending by start.
    /// Expired segments are left out from the instant they expire, before they are deleted.
    /// </summary>
    /// <remarks>
    /// Interleaves with the grain's other calls: every query asks it, and it must not wait while the lifecycle awaits
    /// shard drops on other silos (a silo that does not answer holds a drop until the call times out) or the grain
    /// storage. It reads the registry without awaiting; the registry is replaced whole by each change, so it sees one
    /// state, at worst one whose persisting is still under way.
    /// </remarks>
    [AlwaysInterleave]
    Task<ImmutableArray<SegmentInfo>> GetSegments(long begin, long end);

    /// <summary>
    /// The whole segment registry with a lease (<see cref="SegmentListing"/>): the query path keeps it for the lease and
    /// answers <see cref="GetSegments"/>' question itself meanwhile, without a call per query. A registration of new
    /// shards (<see cref="RegisterShards"/>) returns only once every lease given before it has run out.
    /// </summary>
    /// <remarks>Interleaves with the grain's other calls, as <see cref="GetSegments"/> does.</remarks>
    [AlwaysInterleave]
    Task<SegmentListing> GetSegmentListing();

    /// <summary>
    /// Whether the group holds data: a segment of it, live, expired or waiting to be dropped, has shards that writes
    /// registered. A group deletion without <c>force</c> is refused when it does (as BanyanDB refuses a non-empty group).
    /// </summary>
    /// <remarks>Interleaves with the grain's other calls, as <see cref="GetSegments"/> does.</remarks>
    [AlwaysInterleave]
    Task<bool> HoldsData();

    /// <summary>
    /// Runs the segment lifecycle now (the grain's timer runs it periodically): creates the next segment once the current
    /// one is 80 % consumed, drops the shards of segments whose end is at or before now − TTL and forgets them.
    /// </summary>
    Task<SegmentMaintenance> Maintain();

    /// <summary>
    /// Drops every segment of the group (the group was deleted) and forgets the shard assignment. Shards whose owner
    /// cannot be reached stay registered as pending (invisible to queries) and are dropped by later runs of the lifecycle.
    /// </summary>
    Task<SegmentMaintenance> DropAll();
}
