namespace Banyan.Grains.Placement;

/// <summary>
/// Places a grain whose key is a node name on the silo with that name (<see cref="NodeNamePlacementDirector"/>): one
/// activation per silo, on that silo, e.g. the silo's schema cache grain.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("banyan.NodeNamePlacementStrategy")]
public sealed class NodeNamePlacementStrategy : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static NodeNamePlacementStrategy Instance { get; } = new();
}
