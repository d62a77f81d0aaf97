using Banyan.GrainInterfaces.Shards;
using Orleans.Runtime.Placement;

namespace Banyan.Grains.Placement;

/// <summary>
/// Activates a shard grain only on the silo named by the caller in
/// <c>RequestContext[<see cref="ShardGrainRouter.OwnerKey"/>]</c> (the owner recorded by the group grain).
/// Silo addresses are mapped to names through the membership snapshot; when two active members
/// share a name (a restarted pod before its old entry is retired) the newest generation wins.
/// An owner that is not an active, compatible silo gives <see cref="ShardUnavailableException"/>:
/// activating an empty shard elsewhere would hide the owner's data and split the shard.
/// </summary>
public sealed class ShardPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    /// <inheritdoc/>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string key = target.GrainIdentity.Key.ToString()!;
        if (target.RequestContextData is null
            || !target.RequestContextData.TryGetValue(ShardGrainRouter.OwnerKey, out object? hint)
            || hint is not string { Length: > 0 } owner)
        {
            throw new InvalidOperationException(
                $"Shard grain '{key}' was called without its owner node in RequestContext['{ShardGrainRouter.OwnerKey}']. This is a bug in the caller: call shard grains through ShardGrainRouter.CallShardAsync with the owner from the group grain.");
        }

        SiloAddress? chosen = ActiveSilos.FindByName(membership, context.GetCompatibleSilos(target), owner);
        return chosen is null
            ? throw new ShardUnavailableException(key, owner)
            : Task.FromResult(chosen);
    }
}
