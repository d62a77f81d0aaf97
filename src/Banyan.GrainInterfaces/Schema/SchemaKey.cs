namespace Banyan.GrainInterfaces.Schema;

/// <summary>
/// Identifies one schema in the catalog: its kind, its group and its name. A group's key has the group's
/// own name as both <see cref="Group"/> and <see cref="Name"/> (groups belong to no group).
/// </summary>
/// <param name="Kind">The kind of schema.</param>
/// <param name="Group">The group (for a group: its own name).</param>
/// <param name="Name">The name within the group (for a group: its own name).</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.SchemaKey")]
public readonly record struct SchemaKey([property: Id(0)] SchemaKind Kind, [property: Id(1)] string Group, [property: Id(2)] string Name)
{
    /// <summary>The key of the group named <paramref name="name"/>.</summary>
    public static SchemaKey ForGroup(string name) => new(SchemaKind.Group, name, name);

    /// <summary>The key of a schema of <paramref name="kind"/> (not a group) in <paramref name="group"/>.</summary>
    public static SchemaKey For(SchemaKind kind, string group, string name) =>
        kind == SchemaKind.Group ? ForGroup(name) : new(kind, group, name);

    /// <summary>For messages: <c>group 'sw_metric'</c>, <c>measure 'sw_metric/service_cpm_minute'</c>.</summary>
    public override string ToString() => Kind == SchemaKind.Group
        ? $"group '{Name}'"
        : $"{SchemaKinds.DisplayName(Kind)} '{Group}/{Name}'";
}
