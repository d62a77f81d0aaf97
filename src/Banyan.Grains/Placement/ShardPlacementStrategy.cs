using Orleans.Runtime;

namespace Banyan.Grains.Placement;

/// <summary>
/// Places a shard grain on the silo whose node name owns the shard (<see cref="ShardPlacementDirector"/>),
/// so a shard's data stays on one disk for every segment.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardPlacementStrategy")]
public sealed class ShardPlacementStrategy : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static ShardPlacementStrategy Instance { get; } = new();
}
