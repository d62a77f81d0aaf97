using Banyan.Storage.Index.Analysis;

namespace Banyan.Storage.Query;

/// <summary>How the tokens of a MATCH query combine.</summary>
public enum MatchOperator : byte
{
    /// <summary>At least one query token occurs in the tag (BanyanDB's default).</summary>
    Or,

    /// <summary>Every query token occurs in the tag.</summary>
    And,
}

/// <summary>Options of a MATCH condition (BanyanDB's <c>Condition.MatchOption</c>).</summary>
/// <param name="Analyzer">Analyzer for the query text; <see cref="AnalyzerKind.None"/> means the tag's own analyzer.</param>
/// <param name="Operator">How query tokens combine.</param>
public sealed record MatchOptions(AnalyzerKind Analyzer = AnalyzerKind.None, MatchOperator Operator = MatchOperator.Or)
{
    /// <summary>Default options: the tag's analyzer, OR.</summary>
    public static MatchOptions Default { get; } = new();
}
