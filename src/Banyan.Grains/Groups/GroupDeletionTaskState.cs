namespace Banyan.Grains.Groups;

/// <summary>The persisted state of a <see cref="GroupDeletionTaskGrain"/>: BanyanDB's <c>database.v1.GroupDeletionTask</c> as protobuf bytes.</summary>
[GenerateSerializer]
[Alias("banyan.GroupDeletionTaskState")]
public sealed class GroupDeletionTaskState
{
    /// <summary>The task's protobuf encoding; null until a deletion is recorded.</summary>
    [Id(0)]
    public byte[]? Task { get; set; }
}
