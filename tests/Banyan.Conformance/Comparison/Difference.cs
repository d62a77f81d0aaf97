namespace Banyan.Conformance.Comparison;

/// <summary>
/// One difference between the want and the response: where (a path of proto field names with list indexes, e.g.
/// <c>elements[3].tag_families[0](searchable).tags[1](trace_id).value.str.value</c>) and the two values as text.
/// </summary>
/// <param name="Path">The field path; list items carry their <c>key</c>/<c>name</c> in parentheses when they have one.</param>
/// <param name="Expected">The want's value, or a note such as <c>(not set)</c>.</param>
/// <param name="Actual">The response's value, or a note such as <c>(missing)</c>.</param>
public sealed record Difference(string Path, string Expected, string Actual)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Path}: expected {Expected}, actual {Actual}";
}
