namespace Banyan.GrainInterfaces.Schema;

/// <summary>The answer to a registry <c>Exist</c>: whether the group exists and whether the schema exists in it.</summary>
/// <param name="HasGroup">The group exists.</param>
/// <param name="HasSchema">The schema exists (for a group: the same as <paramref name="HasGroup"/>).</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.SchemaExistence")]
public readonly record struct SchemaExistence([property: Id(0)] bool HasGroup, [property: Id(1)] bool HasSchema);
