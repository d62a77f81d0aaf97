namespace Banyan.Grains;

/// <summary>Base of placement strategies: decides on which silo a new activation is created (as Orleans).</summary>
public abstract class PlacementStrategy
{
}

/// <summary>A uniformly random compatible silo. The default, as in Orleans.</summary>
public sealed class RandomPlacement : PlacementStrategy
{
    /// <summary>The shared instance.</summary>
    public static RandomPlacement Singleton { get; } = new();
}

/// <summary>The silo the call came from (for client calls, the gateway), when it is alive.</summary>
public sealed class PreferLocalPlacement : PlacementStrategy
{
    /// <summary>The shared instance.</summary>
    public static PreferLocalPlacement Singleton { get; } = new();
}

/// <summary>A silo chosen by the grain id's stable hash over the sorted live silos.</summary>
public sealed class HashBasedPlacement : PlacementStrategy
{
    /// <summary>The shared instance.</summary>
    public static HashBasedPlacement Singleton { get; } = new();
}

/// <summary>Base of placement attributes on grain classes; derive from it to attach a custom strategy.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public abstract class PlacementAttribute : Attribute
{
    /// <summary>Creates the attribute for a strategy.</summary>
    protected PlacementAttribute(PlacementStrategy placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        PlacementStrategy = placement;
    }

    /// <summary>The strategy.</summary>
    public PlacementStrategy PlacementStrategy { get; }
}

/// <summary>Places activations of this class on a random silo.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RandomPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public RandomPlacementAttribute()
        : base(RandomPlacement.Singleton)
    {
    }
}

/// <summary>Places activations of this class on the calling silo.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class PreferLocalPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public PreferLocalPlacementAttribute()
        : base(PreferLocalPlacement.Singleton)
    {
    }
}

/// <summary>Places activations of this class by the hash of their grain id.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class HashBasedPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public HashBasedPlacementAttribute()
        : base(HashBasedPlacement.Singleton)
    {
    }
}
