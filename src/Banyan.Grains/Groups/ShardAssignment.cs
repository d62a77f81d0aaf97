namespace Banyan.Grains.Groups;

/// <summary>
/// Assigns new shards to nodes: each new shard goes to the node that is up and owns the fewest
/// shards of the group so far (counting those assigned in the same call), ties broken by ordinal
/// node name, so every silo computes the same result from the same inputs. Existing assignments
/// never change, whether their owner is up or not.
/// </summary>
internal static class ShardAssignment
{
    /// <summary>
    /// Extends <paramref name="owners"/> (index = shard) to <paramref name="shardNum"/> entries, choosing
    /// among <paramref name="nodesUp"/>. Returns whether anything was added.
    /// </summary>
    /// <exception cref="InvalidOperationException">A shard needs an owner and no node is up.</exception>
    public static bool Extend(List<string> owners, int shardNum, IReadOnlyCollection<string> nodesUp)
    {
        if (owners.Count >= shardNum)
        {
            return false;
        }

        if (nodesUp.Count == 0)
        {
            throw new InvalidOperationException($"No silo is up to own shards {owners.Count} to {shardNum - 1}.");
        }

        Dictionary<string, int> load = new(StringComparer.Ordinal);
        foreach (string node in nodesUp)
        {
            load[node] = 0;
        }

        foreach (string owner in owners)
        {
            if (load.TryGetValue(owner, out int count))
            {
                load[owner] = count + 1;
            }
        }

        while (owners.Count < shardNum)
        {
            string? best = null;
            foreach ((string node, int count) in load)
            {
                if (best is null || count < load[best] || (count == load[best] && string.CompareOrdinal(node, best) < 0))
                {
                    best = node;
                }
            }

            owners.Add(best!);
            load[best!]++;
        }

        return true;
    }
}
