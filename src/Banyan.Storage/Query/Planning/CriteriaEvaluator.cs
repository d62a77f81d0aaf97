using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Values;

namespace Banyan.Storage.Query.Planning;

/// <summary>
/// Evaluates criteria on one decoded row: the residual filter's semantics and the reference the
/// index must agree with (rules in <c>docs/indexing.md</c>).
/// </summary>
public static class CriteriaEvaluator
{
    /// <summary>True when <paramref name="row"/> satisfies <paramref name="criteria"/>.</summary>
    /// <param name="criteria">The tree.</param>
    /// <param name="row">The row.</param>
    /// <param name="schema">Gives the analyzer of each tag for MATCH.</param>
    public static bool Matches(Criteria criteria, ITagRow row, IndexSchema schema)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(schema);
        switch (criteria)
        {
            case Condition c:
                return Matches(c, row.GetTag(c.TagName), schema);
            case LogicalExpression { Op: LogicalOp.And } and:
                foreach (Criteria child in and.Children)
                {
                    if (!Matches(child, row, schema))
                    {
                        return false;
                    }
                }

                return true;
            case LogicalExpression or:
                foreach (Criteria child in or.Children)
                {
                    if (Matches(child, row, schema))
                    {
                        return true;
                    }
                }

                return false;
            default:
                throw new ArgumentException($"unknown criteria node {criteria.GetType().Name}", nameof(criteria));
        }
    }

    /// <summary>True when a tag value <paramref name="value"/> (null = absent) satisfies <paramref name="condition"/>.</summary>
    public static bool Matches(Condition condition, TagValue? value, IndexSchema schema)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(schema);
        value ??= TagValue.Null;
        TagValue v = condition.Value;
        switch (condition.Op)
        {
            case ConditionOp.Eq:
                return ContainsAtom(value, v);
            case ConditionOp.Ne:
                return !ContainsAtom(value, v);
            case ConditionOp.Lt or ConditionOp.Gt or ConditionOp.Le or ConditionOp.Ge:
                for (int i = 0; i < value.AtomCount; i++)
                {
                    TagValue atom = value.AtomAt(i);
                    if (atom.Kind != v.Kind)
                    {
                        continue;
                    }

                    int c = CompareAtoms(atom, v);
                    bool hit = condition.Op switch
                    {
                        ConditionOp.Lt => c < 0,
                        ConditionOp.Gt => c > 0,
                        ConditionOp.Le => c <= 0,
                        _ => c >= 0,
                    };
                    if (hit)
                    {
                        return true;
                    }
                }

                return false;
            case ConditionOp.In:
                return AnyAtomIn(value, v);
            case ConditionOp.NotIn:
                return !AnyAtomIn(value, v);
            case ConditionOp.Having:
                return HasAll(value, v);
            case ConditionOp.NotHaving:
                return !HasAll(value, v);
            case ConditionOp.Match:
                return MatchText(condition, value, schema);
            default:
                throw new ArgumentException($"unknown operator {condition.Op}", nameof(condition));
        }
    }

    /// <summary>Order of two atoms of the same kind: strings by UTF-8 bytes (code points), numbers numerically, binary by bytes.</summary>
    public static int CompareAtoms(TagValue x, TagValue y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return x.Kind switch
        {
            TagValueKind.Str => CompareCodePoints(x.Text!, y.Text!),
            TagValueKind.Number or TagValueKind.Timestamp => x.Number.CompareTo(y.Number),
            TagValueKind.Binary => x.Bytes.AsSpan().SequenceCompareTo(y.Bytes),
            _ => throw new ArgumentException($"a {x.Kind} value has no order", nameof(x)),
        };
    }

    /// <summary>Compares UTF-16 strings in code-point order, which equals UTF-8 byte order (the dictionary's order).</summary>
    internal static int CompareCodePoints(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char ca = a[i], cb = b[i];
            if (ca != cb)
            {
                return Fix(ca) - Fix(cb);
            }
        }

        return a.Length - b.Length;

        // Moves surrogates above U+E000..U+FFFF so UTF-16 units sort like code points.
        static int Fix(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
    }

    private static bool ContainsAtom(TagValue value, TagValue atom)
    {
        for (int i = 0; i < value.AtomCount; i++)
        {
            if (value.AtomAt(i).Equals(atom))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyAtomIn(TagValue value, TagValue set)
    {
        for (int i = 0; i < set.AtomCount; i++)
        {
            if (ContainsAtom(value, set.AtomAt(i)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasAll(TagValue value, TagValue set)
    {
        for (int i = 0; i < set.AtomCount; i++)
        {
            if (!ContainsAtom(value, set.AtomAt(i)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The analyzer that produces query tokens for a MATCH on <paramref name="condition"/>.</summary>
    internal static AnalyzerKind QueryAnalyzer(Condition condition, IndexSchema schema) =>
        condition.Match!.Analyzer != AnalyzerKind.None ? condition.Match.Analyzer : schema.AnalyzerOf(condition.TagName);

    /// <summary>The query tokens of a MATCH condition (computed once per query by the residual filter).</summary>
    internal static List<string> QueryTokens(Condition condition, IndexSchema schema) =>
        TextAnalyzer.Tokenize(QueryAnalyzer(condition, schema), condition.Value.Text!);

    private static bool MatchText(Condition condition, TagValue value, IndexSchema schema) =>
        MatchText(condition, value, schema, QueryTokens(condition, schema));

    /// <summary>MATCH with precomputed <paramref name="query"/> tokens.</summary>
    internal static bool MatchText(Condition condition, TagValue value, IndexSchema schema, List<string> query)
    {
        if (query.Count == 0)
        {
            return false;
        }

        var documentTokens = new HashSet<string>(StringComparer.Ordinal);
        AnalyzerKind analyzer = schema.AnalyzerOf(condition.TagName);
        var scratch = new List<string>();
        for (int i = 0; i < value.AtomCount; i++)
        {
            TagValue atom = value.AtomAt(i);
            if (atom.Kind == TagValueKind.Str)
            {
                scratch.Clear();
                TextAnalyzer.Tokenize(analyzer, atom.Text!, scratch);
                documentTokens.UnionWith(scratch);
            }
        }

        if (condition.Match!.Operator == MatchOperator.And)
        {
            foreach (string token in query)
            {
                if (!documentTokens.Contains(token))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (string token in query)
        {
            if (documentTokens.Contains(token))
            {
                return true;
            }
        }

        return false;
    }
}
