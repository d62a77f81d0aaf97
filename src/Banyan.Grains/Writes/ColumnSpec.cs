using Banyan.Storage.Values;

namespace Banyan.Grains.Writes;

/// <summary>One column a subject's rows are written with: a tag (with its family) or a measure field (no family).</summary>
/// <param name="Family">The tag family; null for a field.</param>
/// <param name="Name">The tag or field name.</param>
/// <param name="Type">The column type, from the schema's declared type.</param>
internal readonly record struct ColumnSpec(string? Family, string Name, ColumnValueType Type)
{
    /// <summary>True for a measure field.</summary>
    public bool IsField => Family is null;
}
