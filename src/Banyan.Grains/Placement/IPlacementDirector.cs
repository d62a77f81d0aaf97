using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains;

/// <summary>What is being placed.</summary>
/// <param name="GrainIdentity">The grain to activate.</param>
/// <param name="InterfaceType">The grain interface the triggering call was made through.</param>
public readonly record struct PlacementTarget(GrainId GrainIdentity, Type InterfaceType);

/// <summary>What a placement director may consult.</summary>
public interface IPlacementContext
{
    /// <summary>The silo the triggering call came from (for client calls, the gateway).</summary>
    SiloAddress LocalSilo { get; }

    /// <summary>The live silos that can host the grain, sorted.</summary>
    SiloAddress[] GetCompatibleSilos(PlacementTarget target);
}

/// <summary>Chooses a silo for a new activation (as Orleans' <c>IPlacementDirector</c>).</summary>
public interface IPlacementDirector
{
    /// <summary>Returns the silo for the new activation; it must be one of <see cref="IPlacementContext.GetCompatibleSilos"/>.</summary>
    Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context);
}

/// <summary>Registration of placement directors.</summary>
public static class PlacementServiceCollectionExtensions
{
    /// <summary>Uses <typeparamref name="TDirector"/> for grains whose placement attribute carries a <typeparamref name="TStrategy"/>.</summary>
    public static IServiceCollection AddPlacementDirector<TStrategy, TDirector>(this IServiceCollection services)
        where TStrategy : PlacementStrategy
        where TDirector : class, IPlacementDirector
    {
        services.AddSingleton<TDirector>();
        services.AddSingleton(sp => new Runtime.PlacementDirectorRegistration(typeof(TStrategy), sp.GetRequiredService<TDirector>()));
        return services;
    }
}
