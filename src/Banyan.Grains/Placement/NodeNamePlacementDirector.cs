using Orleans.Runtime.Placement;

namespace Banyan.Grains.Placement;

/// <summary>
/// Activates a grain keyed by a node name on the active silo of that name (names are mapped to silos through the
/// membership snapshot, as for shards: <see cref="ActiveSilos"/>). When no active silo has the name the call fails with
/// Orleans' <see cref="SiloUnavailableException"/>; nothing is activated elsewhere.
/// </summary>
public sealed class NodeNamePlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    /// <inheritdoc/>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string node = target.GrainIdentity.Key.ToString()!;
        SiloAddress? silo = ActiveSilos.FindByName(membership, context.GetCompatibleSilos(target), node);
        return silo is null
            ? throw new SiloUnavailableException($"Grain '{target.GrainIdentity}' lives on node '{node}', which is not an active silo.")
            : Task.FromResult(silo);
    }
}
