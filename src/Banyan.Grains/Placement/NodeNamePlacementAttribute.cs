using Orleans.Placement;

namespace Banyan.Grains.Placement;

/// <summary>Marks a grain class keyed by node name as placed on that node (<see cref="NodeNamePlacementDirector"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodeNamePlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public NodeNamePlacementAttribute()
        : base(NodeNamePlacementStrategy.Instance)
    {
    }
}
