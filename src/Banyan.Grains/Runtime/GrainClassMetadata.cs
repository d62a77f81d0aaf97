using System.Reflection;

namespace Banyan.Grains.Runtime;

/// <summary>What the runtime needs about one grain class, read once from its attributes.</summary>
internal sealed class GrainClassMetadata
{
    public GrainClassMetadata(Type classType)
    {
        ClassType = classType;
        GrainType = classType.GetCustomAttribute<GrainTypeAttribute>()?.GrainType ?? DefaultGrainType(classType);
        Reentrant = classType.IsDefined(typeof(ReentrantAttribute), inherit: true);
        MaxLocalWorkers = classType.GetCustomAttribute<StatelessWorkerAttribute>(inherit: true)?.MaxLocalWorkers ?? 0;
        Placement = classType.GetCustomAttribute<PlacementAttribute>(inherit: true)?.PlacementStrategy ?? RandomPlacement.Singleton;
        CollectionAgeLimit = classType.GetCustomAttribute<CollectionAgeLimitAttribute>(inherit: true)?.Amount;
        ConstructorInfo[] constructors = classType.GetConstructors();
        if (constructors.Length == 0)
        {
            throw new InvalidOperationException($"Grain class '{classType.FullName}' has no public constructor.");
        }

        Constructor = constructors.MaxBy(c => c.GetParameters().Length)!;
    }

    public Type ClassType { get; }

    public string GrainType { get; }

    public bool Reentrant { get; }

    /// <summary>0 for ordinary grains; the per-silo activation limit for stateless workers.</summary>
    public int MaxLocalWorkers { get; }

    public bool IsStatelessWorker => MaxLocalWorkers > 0;

    public PlacementStrategy Placement { get; }

    /// <summary>From [CollectionAgeLimit]; null means the silo default.</summary>
    public TimeSpan? CollectionAgeLimit { get; }

    public ConstructorInfo Constructor { get; }

    // Orleans' convention: class "CounterGrain" is grain type "counter".
    private static string DefaultGrainType(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
        {
            name = name[..^"Grain".Length];
        }

        return name.ToLowerInvariant();
    }
}
