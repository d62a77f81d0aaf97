namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// Calls shard grains with their owner's node name in Orleans' <see cref="RequestContext"/>
/// (<see cref="OwnerKey"/>), where the shard placement director reads it when it activates the
/// grain. The hint is set only for the duration of one call: a hint left in the request context
/// would travel with every later call of the same flow and could place another shard on the wrong silo.
/// </summary>
public static class ShardGrainRouter
{
    /// <summary>The request-context key carrying the owner's node name.</summary>
    public const string OwnerKey = "banyan.shard-owner";

    /// <summary>Calls <paramref name="call"/> on the shard grain of <paramref name="key"/>, placed on <paramref name="owner"/>.</summary>
    /// <exception cref="ShardUnavailableException">The owner is not an active silo and the grain is not already active.</exception>
    public static async Task<TResult> CallShardAsync<TResult>(this IGrainFactory grains, ShardGrainKey key, string owner, Func<IShardGrain, Task<TResult>> call)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(call);
        IShardGrain grain = grains.GetGrainCached<IShardGrain>(key.ToString());

        // An async method restores its caller's execution context (and so the request context)
        // when it returns, so the hint ends with this call.
        RequestContext.Set(OwnerKey, owner);
        return await call(grain).ConfigureAwait(true);
    }

    /// <summary>Calls <paramref name="call"/> on the shard grain of <paramref name="key"/>, placed on <paramref name="owner"/>.</summary>
    /// <exception cref="ShardUnavailableException">The owner is not an active silo and the grain is not already active.</exception>
    public static async Task CallShardAsync(this IGrainFactory grains, ShardGrainKey key, string owner, Func<IShardGrain, Task> call)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(call);
        IShardGrain grain = grains.GetGrainCached<IShardGrain>(key.ToString());
        RequestContext.Set(OwnerKey, owner);
        await call(grain).ConfigureAwait(true);
    }
}
