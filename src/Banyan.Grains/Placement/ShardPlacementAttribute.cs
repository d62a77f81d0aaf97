using Orleans.Placement;

namespace Banyan.Grains.Placement;

/// <summary>Marks a grain class as placed by <see cref="ShardPlacementDirector"/> on its shard's owner.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public ShardPlacementAttribute()
        : base(ShardPlacementStrategy.Instance)
    {
    }
}
