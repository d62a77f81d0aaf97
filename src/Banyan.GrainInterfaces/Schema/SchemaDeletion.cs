namespace Banyan.GrainInterfaces.Schema;

/// <summary>The answer to a registry <c>Delete</c>.</summary>
/// <param name="Deleted">Whether something was removed (BanyanDB answers <c>deleted: false</c>, not an error, for a schema that does not exist).</param>
/// <param name="DeleteTimeUnixNanos">When it was removed, in Unix nanoseconds; 0 when nothing was removed.</param>
/// <param name="Revision">The catalog revision after the call (the deletion's revision when something was removed).</param>
/// <param name="Contents">For a group: the schemas it held (removed with it, or that would be removed on a dry run); otherwise null.</param>
[GenerateSerializer]
[Alias("banyan.SchemaDeletion")]
public sealed record SchemaDeletion(
    [property: Id(0)] bool Deleted,
    [property: Id(1)] long DeleteTimeUnixNanos,
    [property: Id(2)] long Revision,
    [property: Id(3)] GroupContents? Contents);
