using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Groups;

/// <summary>Which silo (by its stable node name) owns each shard of a group: <c>Owners[n]</c> owns shard n.</summary>
/// <param name="Group">The group name.</param>
/// <param name="Owners">Node names, one per shard, indexed by shard number.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardOwners")]
public sealed record ShardOwners([property: Id(0)] string Group, [property: Id(1)] ImmutableArray<string> Owners)
{
    /// <summary>The largest shard count a group may have.</summary>
    public const int MaxShards = 1024;

    /// <summary>The node name owning <paramref name="shard"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is not a shard of the group.</exception>
    public string OwnerOf(int shard)
    {
        if ((uint)shard >= (uint)Owners.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"Group '{Group}' has shards 0 to {Owners.Length - 1}.");
        }

        return Owners[shard];
    }
}
