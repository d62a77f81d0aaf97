namespace Banyan.Storage.Index;

/// <summary>
/// One tag an index rule (through its binding) asks to index: its name, the analyzer for MATCH, and
/// whether the index also stores the value so queries can return it without reading parts.
/// </summary>
/// <param name="Name">The tag name (unique within the schema).</param>
/// <param name="Analyzer">The analyzer MATCH uses on this tag; <see cref="AnalyzerKind.None"/> means whole values.</param>
/// <param name="Stored">False for BanyanDB's <c>indexed_only</c> tags: searchable but not returned from the index.</param>
public sealed record IndexedTag(string Name, AnalyzerKind Analyzer = AnalyzerKind.None, bool Stored = true)
{
    /// <summary>True when MATCH needs a separate token dictionary (an analyzer other than whole values).</summary>
    public bool HasTokenDictionary => Analyzer is not (AnalyzerKind.None or AnalyzerKind.Keyword);
}
