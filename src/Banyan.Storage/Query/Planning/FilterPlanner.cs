using System.Text;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Index.Terms;
using Banyan.Storage.Values;

namespace Banyan.Storage.Query.Planning;

/// <summary>
/// Splits a criteria tree into what the inverted index of one segment answers (posting lists) and a
/// residual filter for the rest. Conditions on tags the segment does not index are never dropped:
/// they become residual conditions over all documents. Rules in <c>docs/indexing.md</c>.
/// </summary>
public static class FilterPlanner
{
    /// <summary>Plans <paramref name="criteria"/> (null = match all) for every segment of <paramref name="snapshot"/>.</summary>
    public static IReadOnlyList<SegmentPlan> Plan(Criteria? criteria, IndexView snapshot, IndexSchema schema)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var plans = new List<SegmentPlan>(snapshot.Flushed.Count + snapshot.Memory.Count);
        foreach (IndexSegment segment in snapshot.Segments)
        {
            plans.Add(new SegmentPlan(segment, Plan(criteria, segment, schema)));
        }

        return plans;
    }

    /// <summary>Plans <paramref name="criteria"/> (null = match all) for <paramref name="segment"/>.</summary>
    public static FilterPlan Plan(Criteria? criteria, IndexSegment segment, IndexSchema schema)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(schema);
        var context = new PlanContext(segment, schema);
        if (criteria is null)
        {
            return new FilterPlan(context.Universe, null, segment.DocCount);
        }

        (PostingList candidates, ResidualFilter? residual) = PlanNode(criteria, context);
        return new FilterPlan(candidates, residual, segment.DocCount);
    }

    private sealed class PlanContext(IndexSegment segment, IndexSchema schema)
    {
        private PostingList? _universe;

        public IndexSegment Segment { get; } = segment;

        public IndexSchema Schema { get; } = schema;

        public PostingList Universe => _universe ??= PostingList.Universe(Segment.DocCount);
    }

    private static (PostingList Candidates, ResidualFilter? Residual) PlanNode(Criteria node, PlanContext context)
    {
        switch (node)
        {
            case Condition condition:
                PostingList? exact = TryIndex(condition, context);
                return exact is not null
                    ? (exact, null)
                    : (context.Universe, new ResidualFilter.ConditionFilter(condition, context.Schema));
            case LogicalExpression { Op: LogicalOp.And } and:
                {
                    PostingList? candidates = null;
                    var residuals = new List<ResidualFilter>();
                    bool[] done = MergeRanges(and.Children, context, ref candidates);
                    for (int i = 0; i < and.Children.Count; i++)
                    {
                        if (done[i])
                        {
                            continue;
                        }

                        (PostingList c, ResidualFilter? r) = PlanNode(and.Children[i], context);
                        candidates = candidates is null ? c : candidates.And(c);
                        if (r is not null)
                        {
                            residuals.Add(r);
                        }
                    }

                    return (candidates!, Combine(residuals, and: true));
                }

            case LogicalExpression or:
                {
                    var plans = new List<(PostingList Candidates, ResidualFilter? Residual)>();
                    PostingList union = new();
                    bool allExact = true;
                    foreach (Criteria child in or.Children)
                    {
                        (PostingList c, ResidualFilter? r) = PlanNode(child, context);
                        plans.Add((c, r));
                        union = union.Or(c);
                        allExact &= r is null;
                    }

                    if (allExact)
                    {
                        return (union, null);
                    }

                    // A child holds iff the document is among its candidates and passes its residual;
                    // an exact child is just membership in its posting list.
                    var residuals = new List<ResidualFilter>(plans.Count);
                    foreach ((PostingList c, ResidualFilter? r) in plans)
                    {
                        if (r is null)
                        {
                            residuals.Add(new ResidualFilter.MembershipFilter(c));
                        }
                        else if (c.Count == context.Segment.DocCount)
                        {
                            residuals.Add(r);
                        }
                        else
                        {
                            residuals.Add(new ResidualFilter.AndFilter([new ResidualFilter.MembershipFilter(c), r]));
                        }
                    }

                    return (union, Combine(residuals, and: false));
                }

            default:
                throw new ArgumentException($"unknown criteria node {node.GetType().Name}", nameof(node));
        }
    }

    /// <summary>
    /// Under AND, range conditions on the same indexed tag and value kind (e.g. <c>latency GE 100 AND
    /// latency LT 200</c>) become one dictionary range instead of two wide ones intersected. Only
    /// for fields where no document has more than one atom: with arrays each bound may be met by a
    /// different element, which one range would not find. Returns which children were answered;
    /// their lists are intersected into <paramref name="candidates"/>.
    /// </summary>
    private static bool[] MergeRanges(IReadOnlyList<Criteria> children, PlanContext context, ref PostingList? candidates)
    {
        bool[] done = new bool[children.Count];
        for (int i = 0; i < children.Count; i++)
        {
            if (done[i] || children[i] is not Condition { Op: ConditionOp.Lt or ConditionOp.Le or ConditionOp.Gt or ConditionOp.Ge } first)
            {
                continue;
            }

            IndexFieldReader? field = context.Segment.Field(first.TagName);
            if (field is null || !field.Spec.ExactTerms || field.MultiValued || context.Schema.Find(first.TagName) is null)
            {
                continue;
            }

            TagValueKind kind = first.Value.Kind;
            byte[] lower = [(byte)kind];
            bool lowerInclusive = true;
            byte[] upper = [(byte)(kind + 1)];
            bool upperInclusive = false;
            var members = new List<int>();
            for (int j = i; j < children.Count; j++)
            {
                if (children[j] is not Condition { Op: ConditionOp.Lt or ConditionOp.Le or ConditionOp.Gt or ConditionOp.Ge } c
                    || c.TagName != first.TagName || c.Value.Kind != kind)
                {
                    continue;
                }

                members.Add(j);
                byte[] bound = IndexTerm.Encode(c.Value);
                if (c.Op is ConditionOp.Gt or ConditionOp.Ge)
                {
                    int cmp = bound.AsSpan().SequenceCompareTo(lower);
                    if (cmp > 0 || (cmp == 0 && c.Op == ConditionOp.Gt))
                    {
                        lower = bound;
                        lowerInclusive = c.Op == ConditionOp.Ge;
                    }
                }
                else
                {
                    int cmp = bound.AsSpan().SequenceCompareTo(upper);
                    if (cmp < 0 || (cmp == 0 && c.Op == ConditionOp.Lt))
                    {
                        upper = bound;
                        upperInclusive = c.Op == ConditionOp.Le;
                    }
                }
            }

            if (members.Count < 2)
            {
                continue;
            }

            foreach (int j in members)
            {
                done[j] = true;
            }

            PostingList list = lower.AsSpan().SequenceCompareTo(upper) > 0 ? new PostingList() : field.Range(lower, lowerInclusive, upper, upperInclusive);
            candidates = candidates is null ? list : candidates.And(list);
        }

        return done;
    }

    private static ResidualFilter? Combine(List<ResidualFilter> parts, bool and) => parts.Count switch
    {
        0 => null,
        1 => parts[0],
        _ => and ? new ResidualFilter.AndFilter([.. parts]) : new ResidualFilter.OrFilter([.. parts]),
    };

    /// <summary>The exact posting list of <paramref name="condition"/>, or null when this segment's index cannot answer it.</summary>
    private static PostingList? TryIndex(Condition condition, PlanContext context)
    {
        IndexedTag? wanted = context.Schema.Find(condition.TagName);
        IndexFieldReader? field = context.Segment.Field(condition.TagName);
        if (wanted is null || field is null)
        {
            return null;
        }

        if (condition.Op != ConditionOp.Match && !field.Spec.ExactTerms)
        {
            return null;
        }

        TagValue v = condition.Value;
        switch (condition.Op)
        {
            case ConditionOp.Eq:
                return Term(field, v);
            case ConditionOp.Ne:
                return context.Universe.AndNot(Term(field, v));
            case ConditionOp.In:
                return AnyOf(field, v, context.Segment.DocCount);
            case ConditionOp.NotIn:
                return context.Universe.AndNot(AnyOf(field, v, context.Segment.DocCount));
            case ConditionOp.Having:
                return AllOf(field, v, context);
            case ConditionOp.NotHaving:
                return context.Universe.AndNot(AllOf(field, v, context));
            case ConditionOp.Lt or ConditionOp.Le or ConditionOp.Gt or ConditionOp.Ge:
                return Range(field, condition.Op, v);
            case ConditionOp.Match:
                return Match(condition, wanted, field, context);
            default:
                return null;
        }
    }

    private static PostingList Term(IndexFieldReader field, TagValue atom) => field.Exact.Lookup(IndexTerm.Encode(atom)) ?? new PostingList();

    private static PostingList AnyOf(IndexFieldReader field, TagValue set, int docCount)
    {
        if (set.AtomCount == 1)
        {
            return Term(field, set.AtomAt(0));
        }

        var bits = new DocBitset(docCount);
        for (int i = 0; i < set.AtomCount; i++)
        {
            PostingListIterator it = Term(field, set.AtomAt(i)).GetIterator();
            while (it.MoveNext())
            {
                bits.Set(it.Current);
            }
        }

        return bits.ToPostingList();
    }

    private static PostingList AllOf(IndexFieldReader field, TagValue set, PlanContext context)
    {
        PostingList result = context.Universe;
        for (int i = 0; i < set.AtomCount && !result.IsEmpty; i++)
        {
            result = result.And(Term(field, set.AtomAt(i)));
        }

        return result;
    }

    private static PostingList Range(IndexFieldReader field, ConditionOp op, TagValue v)
    {
        byte[] bound = IndexTerm.Encode(v);
        byte[] kindStart = [(byte)v.Kind];
        byte[] kindEnd = [(byte)(v.Kind + 1)];
        return op switch
        {
            ConditionOp.Lt => field.Range(kindStart, true, bound, false),
            ConditionOp.Le => field.Range(kindStart, true, bound, true),
            ConditionOp.Gt => field.Range(bound, false, kindEnd, false),
            _ => field.Range(bound, true, kindEnd, false),
        };
    }

    private static PostingList? Match(Condition condition, IndexedTag wanted, IndexFieldReader field, PlanContext context)
    {
        // The segment's tokens must come from the analyzer the schema names, or they are not the
        // tokens the residual filter would compute; whole-value analyzers share the exact dictionary.
        bool wholeValue = wanted.Analyzer is AnalyzerKind.None or AnalyzerKind.Keyword;
        bool segmentWholeValue = field.Spec.Analyzer is AnalyzerKind.None or AnalyzerKind.Keyword;
        if (wholeValue != segmentWholeValue || (!wholeValue && field.Spec.Analyzer != wanted.Analyzer) || (wholeValue && !field.Spec.ExactTerms))
        {
            return null;
        }

        List<string> tokens = TextAnalyzer.Tokenize(CriteriaEvaluator.QueryAnalyzer(condition, context.Schema), condition.Value.Text!);
        if (tokens.Count == 0)
        {
            return new PostingList();
        }

        bool and = condition.Match!.Operator == MatchOperator.And;
        PostingList? result = null;
        foreach (string token in tokens)
        {
            PostingList list = (wholeValue
                ? field.Exact.Lookup(IndexTerm.Encode(TagValue.FromString(token)))
                : field.Tokens!.Lookup(Encoding.UTF8.GetBytes(token))) ?? new PostingList();
            result = result is null ? list : and ? result.And(list) : result.Or(list);
            if (and && result.IsEmpty)
            {
                break;
            }
        }

        return result;
    }
}
