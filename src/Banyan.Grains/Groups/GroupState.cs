namespace Banyan.Grains.Groups;

/// <summary>The persisted state of a group grain (stored by the silo's grain storage serializer, JSON by default).</summary>
[GenerateSerializer]
[Alias("banyan.GroupState")]
public sealed class GroupState
{
    /// <summary>Owner node name of each shard, indexed by shard number. Only ever grows (cleared when the group is deleted).</summary>
    [Id(0)]
    public List<string> ShardOwners { get; set; } = [];

    /// <summary>The group's segments that exist, ascending by start.</summary>
    [Id(1)]
    public List<SegmentRecord> Segments { get; set; } = [];

    /// <summary>
    /// The <c>create_revision</c> of the group schema the registry belongs to (0 before the first registration). A group
    /// deleted and created again under the same name has another: what is registered for the old one is dropped.
    /// </summary>
    [Id(2)]
    public long GroupRevision { get; set; }
}
