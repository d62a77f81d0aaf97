namespace Banyan.GrainInterfaces.Queries;

/// <summary>One column a shard query returns: a tag (in its family) or a measure field (no family).</summary>
/// <param name="Family">The tag family; null for a measure field.</param>
/// <param name="Name">The tag or field name.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardColumn")]
public sealed record ShardColumn([property: Id(0)] string? Family, [property: Id(1)] string Name);
