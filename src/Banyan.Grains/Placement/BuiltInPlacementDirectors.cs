namespace Banyan.Grains.Runtime;

/// <summary>Binds a strategy type to its director.</summary>
internal sealed record PlacementDirectorRegistration(Type StrategyType, IPlacementDirector Director);

/// <summary>Random placement: any compatible silo, uniformly.</summary>
internal sealed class RandomPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = context.GetCompatibleSilos(target);
        return Task.FromResult(silos[Random.Shared.Next(silos.Length)]);
    }
}

/// <summary>Prefer-local placement: the calling silo when it is compatible, otherwise random.</summary>
internal sealed class PreferLocalPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = context.GetCompatibleSilos(target);
        return Task.FromResult(Array.IndexOf(silos, context.LocalSilo) >= 0 ? context.LocalSilo : silos[Random.Shared.Next(silos.Length)]);
    }
}

/// <summary>Hash-based placement: grain id hash modulo the sorted silo list.</summary>
internal sealed class HashBasedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = context.GetCompatibleSilos(target);
        return Task.FromResult(silos[target.GrainIdentity.GetUniformHashCode() % (uint)silos.Length]);
    }
}
