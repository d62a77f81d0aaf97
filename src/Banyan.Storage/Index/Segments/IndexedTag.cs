using Banyan.Storage.Index.Analysis;
namespace Banyan.Storage.Index.Segments;

/// <summary>
/// One tag an index rule (through its binding) asks to index: its name, the analyzer for MATCH, and
/// whether the index also stores the value so queries can return it without reading parts.
/// </summary>
/// <param name="Name">The tag name (unique within the schema).</param>
/// <param name="Analyzer">The analyzer MATCH uses on this tag; <see cref="AnalyzerKind.None"/> means whole values.</param>
/// <param name="Stored">Whether the index keeps the whole value in a stored column (measure index mode, series index); false for BanyanDB's <c>indexed_only</c> tags and for stream tags whose values live in parts.</param>
/// <param name="ExactTerms">
/// Whether whole values are indexed as exact terms (EQ, NE, ranges, IN, HAVING). Only an analysed tag
/// whose values are present in decoded rows may turn this off: its non-MATCH conditions then run in
/// the residual filter, and the dictionary of long unique texts is not written.
/// </param>
public sealed record IndexedTag(string Name, AnalyzerKind Analyzer = AnalyzerKind.None, bool Stored = true, bool ExactTerms = true)
{
    /// <summary>True when MATCH needs a separate token dictionary (an analyzer other than whole values).</summary>
    public bool HasTokenDictionary => Analyzer is not (AnalyzerKind.None or AnalyzerKind.Keyword);
}
