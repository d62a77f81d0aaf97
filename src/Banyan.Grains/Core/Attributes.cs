namespace Banyan.Grains;

/// <summary>Every request to a grain of this class may interleave with every other at await points (as Orleans).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReentrantAttribute : Attribute
{
}

/// <summary>Requests to this interface method interleave with any request, even on a non-reentrant grain.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute
{
}

/// <summary>This interface method does not change grain state: it interleaves with other read-only requests only.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute
{
}

/// <summary>The caller does not wait for this method: it returns as soon as the request is sent. The method must return Task or ValueTask.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute
{
}

/// <summary>
/// Grains of this class are stateless workers: any silo that calls them runs up to
/// <see cref="MaxLocalWorkers"/> local activations per grain id, used in parallel.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StatelessWorkerAttribute : Attribute
{
    /// <summary>Allows one local activation per processor.</summary>
    public StatelessWorkerAttribute()
        : this(Environment.ProcessorCount)
    {
    }

    /// <summary>Allows up to <paramref name="maxLocalWorkers"/> local activations per grain id.</summary>
    public StatelessWorkerAttribute(int maxLocalWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLocalWorkers, 1);
        MaxLocalWorkers = maxLocalWorkers;
    }

    /// <summary>The most activations of one grain id on one silo (at least 1).</summary>
    public int MaxLocalWorkers { get; }
}

/// <summary>How long an idle activation of this class lives before it is collected (default: the silo's collection age, 15 minutes).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CollectionAgeLimitAttribute : Attribute
{
    /// <summary>Creates the attribute; set <see cref="Days"/>, <see cref="Hours"/> or <see cref="Minutes"/>.</summary>
    public CollectionAgeLimitAttribute()
    {
    }

    /// <summary>Creates the attribute from a number of minutes.</summary>
    public CollectionAgeLimitAttribute(double minutes)
    {
        Minutes = minutes;
    }

    /// <summary>Days of the age limit.</summary>
    public double Days { get; init; }

    /// <summary>Hours of the age limit.</summary>
    public double Hours { get; init; }

    /// <summary>Minutes of the age limit.</summary>
    public double Minutes { get; init; }

    /// <summary>Never collect idle activations of this class.</summary>
    public bool AlwaysActive { get; init; }

    /// <summary>The age limit as a time span.</summary>
    public TimeSpan Amount => AlwaysActive ? Timeout.InfiniteTimeSpan : TimeSpan.FromDays(Days) + TimeSpan.FromHours(Hours) + TimeSpan.FromMinutes(Minutes);
}

/// <summary>Overrides the grain type name derived from the class name (class <c>CounterGrain</c> is type <c>counter</c>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GrainTypeAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public GrainTypeAttribute(string grainType)
    {
        ArgumentException.ThrowIfNullOrEmpty(grainType);
        GrainType = grainType;
    }

    /// <summary>The grain type name.</summary>
    public string GrainType { get; }
}
