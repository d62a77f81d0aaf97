using System.Collections.Concurrent;
using Banyan.GrainInterfaces.Shards;

namespace Banyan.Grains.Shards;

/// <summary>
/// The shards whose grains are active and open on this silo (a singleton per silo), so the silo's query path reads them
/// directly instead of calling the grain: a query's shard calls on its own silo cost Orleans' messaging and two trips
/// through its scheduler each, more than a small shard's answer (docs/benchmarks.md). A shard grain registers its
/// shard once opened and removes it, then waits for the reads in progress (<see cref="LocalShard.CloseAsync"/>), before
/// it closes the engine shard (deactivation, drop). A shard not registered here is read through its grain, which
/// activates it where it belongs.
/// </summary>
/// <remarks>
/// A direct read sees what the grain's <c>Query</c> would: the engine makes a write readable before the grain
/// acknowledges it, and the grain's reads already ran beside its writes (the grain is reentrant).
/// </remarks>
public sealed class LocalShards
{
    private readonly ConcurrentDictionary<ShardGrainKey, LocalShard> _shards = new();
    private long _reads;

    /// <summary>How many shards are registered (for tests and diagnostics).</summary>
    public int Count => _shards.Count;

    /// <summary>How many shard reads the query path made here without a grain call since the silo started (for tests and diagnostics).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Whether the shard of <paramref name="key"/> is registered.</summary>
    public bool Contains(ShardGrainKey key) => _shards.ContainsKey(key);

    /// <summary>Registers the open shard of an activation on this silo.</summary>
    internal void Add(ShardGrainKey key, LocalShard shard) => _shards[key] = shard;

    /// <summary>Removes <paramref name="shard"/> if it is still the one registered for <paramref name="key"/>.</summary>
    internal void Remove(ShardGrainKey key, LocalShard shard) => _shards.TryRemove(KeyValuePair.Create(key, shard));

    /// <summary>
    /// The registered shard of <paramref name="key"/> with a read entered (<see cref="LocalShard.TryEnter"/>); false when
    /// it is not open here or is closing.
    /// </summary>
    internal bool TryEnter(ShardGrainKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LocalShard? shard)
    {
        if (_shards.TryGetValue(key, out shard) && shard.TryEnter())
        {
            Interlocked.Increment(ref _reads);
            return true;
        }

        shard = null;
        return false;
    }
}
