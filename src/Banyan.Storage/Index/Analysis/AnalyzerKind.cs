namespace Banyan.Storage.Index.Analysis;

/// <summary>The text analyzers of BanyanDB index rules (<c>IndexRule.analyzer</c>); rules in <c>docs/indexing.md</c>.</summary>
public enum AnalyzerKind : byte
{
    /// <summary>No analyzer: MATCH treats the whole value as one token (like <see cref="Keyword"/>).</summary>
    None = 0,

    /// <summary>The whole value is one token, case kept.</summary>
    Keyword = 1,

    /// <summary>Unicode words (letters, digits, joined by '_' and by '.', '\'', ':' or ',' inside a word), lower-cased, English stop words removed.</summary>
    Standard = 2,

    /// <summary>Runs of letters, lower-cased.</summary>
    Simple = 3,

    /// <summary>Runs of letters and digits, case kept (BanyanDB's own URL analyzer).</summary>
    Url = 4,
}
