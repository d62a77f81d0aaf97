using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Placement;

namespace Banyan.Grains.Schema;

/// <summary>
/// The door into one silo's <see cref="SchemaCache"/> (<see cref="ISchemaCacheGrain"/>, key: the silo's node name),
/// activated on that silo only (<see cref="NodeNamePlacementAttribute"/>). Holds no state of its own: the cache is the
/// silo's singleton, so it outlives the activation.
/// </summary>
[NodeNamePlacement]
public sealed class SchemaCacheGrain(SchemaCache cache, ILocalSiloDetails silo) : Grain, ISchemaCacheGrain
{
    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        if (!string.Equals(key, silo.Name, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The schema cache grain of node '{key}' was activated on node '{silo.Name}'; this is a placement bug.");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> Apply(SchemaChange change) => Task.FromResult(cache.TryApply(change));

    /// <inheritdoc/>
    public Task Load(SchemaCatalogSnapshot snapshot)
    {
        cache.Load(snapshot);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<long> GetRevision() => Task.FromResult(cache.Revision);
}
