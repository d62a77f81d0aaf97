using Banyan.Storage.Index.Postings;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Values;

namespace Banyan.Storage.Query.Planning;

/// <summary>
/// What the indexes could not decide: a filter evaluated on decoded rows of candidate documents.
/// Besides plain conditions it may test membership in a posting list the planner already computed,
/// so an OR of an indexed and a non-indexed condition never re-reads the indexed tag (which may be
/// <c>indexed_only</c> and absent from rows).
/// </summary>
public abstract class ResidualFilter
{
    private protected ResidualFilter()
    {
    }

    /// <summary>True when document <paramref name="doc"/>, decoded as <paramref name="row"/>, passes.</summary>
    public abstract bool Matches(ITagRow row, int doc);

    internal sealed class ConditionFilter(Condition condition, IndexSchema schema) : ResidualFilter
    {
        // Analysed once per query, not per row.
        private readonly List<string>? _queryTokens = condition.Op == ConditionOp.Match ? CriteriaEvaluator.QueryTokens(condition, schema) : null;

        public override bool Matches(ITagRow row, int doc) => _queryTokens is null
            ? CriteriaEvaluator.Matches(condition, row.GetTag(condition.TagName), schema)
            : CriteriaEvaluator.MatchText(condition, row.GetTag(condition.TagName) ?? TagValue.Null, schema, _queryTokens);

        public override string ToString() => condition.ToString();
    }

    internal sealed class MembershipFilter(PostingList documents) : ResidualFilter
    {
        public override bool Matches(ITagRow row, int doc) => documents.Contains((uint)doc);

        public override string ToString() => $"doc in index result ({documents.Count})";
    }

    internal sealed class AndFilter(ResidualFilter[] children) : ResidualFilter
    {
        public override bool Matches(ITagRow row, int doc)
        {
            foreach (ResidualFilter child in children)
            {
                if (!child.Matches(row, doc))
                {
                    return false;
                }
            }

            return true;
        }

        public override string ToString() => "(" + string.Join(" AND ", (IEnumerable<ResidualFilter>)children) + ")";
    }

    internal sealed class OrFilter(ResidualFilter[] children) : ResidualFilter
    {
        public override bool Matches(ITagRow row, int doc)
        {
            foreach (ResidualFilter child in children)
            {
                if (child.Matches(row, doc))
                {
                    return true;
                }
            }

            return false;
        }

        public override string ToString() => "(" + string.Join(" OR ", (IEnumerable<ResidualFilter>)children) + ")";
    }
}
