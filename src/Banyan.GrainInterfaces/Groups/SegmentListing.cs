using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Groups;

/// <summary>
/// A group's segment registry as the query path may keep it for a short while (<see cref="IGroupGrain.GetSegmentListing"/>):
/// every segment queries may read, with the shards that hold data, and how long the listing may be used without asking
/// again. Until the lease has run out (counted by the reader from before it asked), the group grain acknowledges no
/// registration of new shards, so no write acknowledged after that is missing from a listing still in use.
/// </summary>
/// <param name="GroupRevision">The <c>create_revision</c> of the group incarnation the segments belong to; 0 when none is registered.</param>
/// <param name="Segments">
/// The registered segments, ascending by start, without those being dropped. Expired segments may still be listed until
/// they are dropped: the reader leaves them out by the group's TTL at the instant it reads.
/// </param>
/// <param name="Lease">How long the listing may be used, from the instant the reader sent its request; zero to use it once.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.SegmentListing")]
public sealed record SegmentListing(
    [property: Id(0)] long GroupRevision,
    [property: Id(1)] ImmutableArray<SegmentInfo> Segments,
    [property: Id(2)] TimeSpan Lease);
