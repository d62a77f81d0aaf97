using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Groups;

/// <summary>What one run of a group's segment lifecycle did (<see cref="IGroupGrain.Maintain"/>).</summary>
/// <param name="Created">Segments created ahead of their time (start, UTC).</param>
/// <param name="Dropped">Segments whose every shard was dropped and that the registry forgot (start, UTC).</param>
/// <param name="Pending">Segments still waiting to be dropped because a shard's owner could not be reached (start, UTC); retried at the next run.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.SegmentMaintenance")]
public sealed record SegmentMaintenance(
    [property: Id(0)] ImmutableArray<DateTimeOffset> Created,
    [property: Id(1)] ImmutableArray<DateTimeOffset> Dropped,
    [property: Id(2)] ImmutableArray<DateTimeOffset> Pending);
