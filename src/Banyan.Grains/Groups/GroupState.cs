namespace Banyan.Grains.Groups;

/// <summary>The persisted state of a group grain (stored by the silo's grain storage serializer, JSON by default).</summary>
[GenerateSerializer]
[Alias("banyan.GroupState")]
public sealed class GroupState
{
    /// <summary>Owner node name of each shard, indexed by shard number. Only ever grows.</summary>
    [Id(0)]
    public List<string> ShardOwners { get; set; } = [];
}
