using Banyan.Storage.Series;
using Banyan.Storage.Values;
using ApiCondition = Banyan.Api.Model.V1.Condition;
using ApiCriteria = Banyan.Api.Model.V1.Criteria;
using ApiLogicalExpression = Banyan.Api.Model.V1.LogicalExpression;

namespace Banyan.Grains.Queries;

/// <summary>
/// The series a query's entity-tag conditions select, as BanyanDB's planner computes them
/// (<c>pkg/query/logical/parser.go</c> <c>ParseEntities</c>): a list of patterns, each one value or "any" per entity
/// tag. EQ gives one pattern, IN one per value; AND merges the patterns of both sides into one (conflicting values: no
/// series at all) unless one side selects any series; OR keeps both sides' patterns (merged into one when they agree)
/// unless one side selects any series; a contradiction inside the tree counts as "any" for its parent (as the nil
/// list does in BanyanDB's merge) and selects nothing only at the top. BanyanDB applies these patterns as the series selection and evaluates the rest
/// of the criteria with every entity-tag condition taken as true; Banyan does the same so that answers match, deep
/// AND/OR trees included.
/// </summary>
internal sealed class EntityPatterns
{
    private EntityPatterns(List<TagValue?[]>? patterns)
    {
        Patterns = patterns;
    }

    /// <summary>The patterns (null entry: any value); null when the conditions contradict each other (no series).</summary>
    public IReadOnlyList<TagValue?[]>? Patterns { get; }

    /// <summary>True when no series can match.</summary>
    public bool IsEmpty => Patterns is null;

    /// <summary>True when every series can match (no entity condition narrows them).</summary>
    public bool IsAny => Patterns is { } p && p.All(pattern => pattern.All(v => v is null));

    /// <summary>
    /// True when every pattern fixes a leading run of scalar values and leaves the rest open: a prefix read of the series
    /// index with a pattern's <see cref="LeadingValues"/> then selects exactly the series the pattern matches (the key
    /// holds each value with its kind, as <see cref="Matches"/> compares them), so no series needs checking one by one.
    /// Patterns that are <see cref="IsAny"/> are such runs (of no values).
    /// </summary>
    public bool AreLeadingRuns => Patterns is { } p && p.All(pattern => pattern.Skip(LeadingCount(pattern)).All(v => v is null));

    /// <summary>
    /// The series ids the patterns name, ascending, when every pattern fixes every entity tag to one scalar value (the
    /// query names its series outright); null when some pattern leaves a tag open, so the series must be found by
    /// scanning. A series id is the hash of the subject and the entity values (<see cref="SeriesKey"/>), as writes
    /// compute it, so a shard reads only those series' blocks.
    /// </summary>
    public ulong[]? ExactSeriesIds(string subject)
    {
        if (Patterns is null)
        {
            return [];
        }

        SortedSet<ulong> ids = [];
        foreach (TagValue?[] pattern in Patterns)
        {
            if (!IsWhole(pattern, out TagValue[] values))
            {
                return null;
            }

            ids.Add(SeriesKey.ComputeSeriesId(subject, values));
        }

        return [.. ids];
    }

    // Whether the pattern fixes every entity value (a scalar each), and those values.
    private static bool IsWhole(TagValue?[] pattern, out TagValue[] values)
    {
        values = new TagValue[pattern.Length];
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] is not { Kind: TagValueKind.Str or TagValueKind.Number or TagValueKind.Binary or TagValueKind.Timestamp } value)
            {
                return false;
            }

            values[i] = value;
        }

        return true;
    }

    /// <summary>
    /// The shards that hold the series of the patterns when every pattern names a whole series and the subject's shard
    /// follows from its entity (<see cref="QuerySubject.RoutedByEntity"/>): the writes routed each of those series to
    /// one shard (<see cref="ShardRouting"/>), so the other shards need not be asked. Null when any shard may hold a
    /// match.
    /// </summary>
    public IReadOnlySet<int>? Shards(QuerySubject subject, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (Patterns is null || !subject.RoutedByEntity || shardCount < 1)
        {
            return null;
        }

        HashSet<int> shards = [];
        foreach (TagValue?[] pattern in Patterns)
        {
            if (!IsWhole(pattern, out TagValue[] values))
            {
                return null;
            }

            shards.Add((int)ShardRouting.ComputeShard(subject.Name, values, (uint)shardCount));
        }

        return shards;
    }

    /// <summary>The values a pattern fixes before its first open tag (a series key prefix).</summary>
    public static TagValue[] LeadingValues(TagValue?[] pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        int count = LeadingCount(pattern);
        TagValue[] leading = new TagValue[count];
        for (int i = 0; i < count; i++)
        {
            leading[i] = pattern[i]!;
        }

        return leading;
    }

    // How many values at the start of the pattern are fixed scalars (a series key prefix can hold them).
    private static int LeadingCount(TagValue?[] pattern)
    {
        int count = 0;
        while (count < pattern.Length && pattern[count] is { Kind: TagValueKind.Str or TagValueKind.Number or TagValueKind.Binary or TagValueKind.Timestamp })
        {
            count++;
        }

        return count;
    }

    /// <summary>The patterns of <paramref name="criteria"/> (already validated by <see cref="CriteriaTranslator"/>).</summary>
    public static EntityPatterns Of(ApiCriteria? criteria, QuerySubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return new EntityPatterns(criteria is null || criteria.ExpCase == ApiCriteria.ExpOneofCase.None ? [Any(subject)] : Node(criteria, subject));
    }

    /// <summary>True when entity values <paramref name="values"/> (in entity order) match some pattern.</summary>
    public bool Matches(ReadOnlySpan<TagValue?> values)
    {
        if (Patterns is null)
        {
            return false;
        }

        foreach (TagValue?[] pattern in Patterns)
        {
            bool all = true;
            for (int i = 0; i < pattern.Length && all; i++)
            {
                all = pattern[i] is null || (values[i] is { } v && v.Equals(pattern[i]));
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    private static TagValue?[] Any(QuerySubject subject) => new TagValue?[subject.Entity.Count];

    internal static List<TagValue?[]>? Node(ApiCriteria criteria, QuerySubject subject)
    {
        if (criteria.ExpCase == ApiCriteria.ExpOneofCase.Condition)
        {
            return Leaf(criteria.Condition, subject);
        }

        ApiLogicalExpression le = criteria.Le;
        bool hasLeft = le.Left is { ExpCase: not ApiCriteria.ExpOneofCase.None };
        bool hasRight = le.Right is { ExpCase: not ApiCriteria.ExpOneofCase.None };
        if (!hasLeft || !hasRight)
        {
            return hasLeft ? Node(le.Left, subject) : hasRight ? Node(le.Right, subject) : [Any(subject)];
        }

        // A contradicting side (null) holds no pattern, which BanyanDB's merge reads as "any series".
        List<TagValue?[]>? left = Node(le.Left, subject);
        List<TagValue?[]>? right = Node(le.Right, subject);
        return Merge(le.Op == ApiLogicalExpression.Types.LogicalOp.Or, subject.Entity.Count, left, right);
    }

    private static List<TagValue?[]> Leaf(ApiCondition condition, QuerySubject subject)
    {
        int position = IndexOf(subject.Entity, condition.Name);
        if (position < 0 || condition.Op is not (ApiCondition.Types.BinaryOp.Eq or ApiCondition.Types.BinaryOp.In))
        {
            return [Any(subject)];
        }

        TagValue value = CriteriaTranslator.ToEngine(condition.Value ?? new Banyan.Api.Model.V1.TagValue());
        List<TagValue?[]> patterns = [];
        if (condition.Op == ApiCondition.Types.BinaryOp.In && value.IsArray)
        {
            for (int i = 0; i < value.AtomCount; i++)
            {
                TagValue?[] pattern = Any(subject);
                pattern[position] = value.AtomAt(i);
                patterns.Add(pattern);
            }

            return patterns.Count > 0 ? patterns : [Any(subject)];
        }

        TagValue?[] one = Any(subject);
        one[position] = value;
        return [one];
    }

    private static List<TagValue?[]>? Merge(bool or, int count, List<TagValue?[]>? left, List<TagValue?[]>? right)
    {
        bool leftAny = left is null || left.All(p => p.All(v => v is null));
        bool rightAny = right is null || right.All(p => p.All(v => v is null));
        if (or)
        {
            if (leftAny)
            {
                return left;
            }

            if (rightAny)
            {
                return right;
            }
        }
        else
        {
            if (leftAny && !rightAny)
            {
                return right;
            }

            if (!leftAny && rightAny)
            {
                return left;
            }
        }

        List<TagValue?[]> merged = [.. left ?? [], .. right ?? []];
        TagValue?[] result = new TagValue?[count];
        for (int i = 0; i < count; i++)
        {
            TagValue? entry = null;
            foreach (TagValue?[] pattern in merged)
            {
                TagValue? e = pattern[i];
                if (or)
                {
                    // OR: the first pattern's value fixes the column (a wildcard is replaced by the next value); a
                    // different value keeps every pattern apart.
                    if (entry is null)
                    {
                        entry = e;
                    }
                    else if (!Same(entry, e))
                    {
                        return merged;
                    }
                }
                else
                {
                    // AND: every fixed value must agree; a wildcard leaves the column to the others.
                    if (e is null)
                    {
                        continue;
                    }

                    if (entry is null)
                    {
                        entry = e;
                    }
                    else if (!e.Equals(entry))
                    {
                        return null;
                    }
                }
            }

            result[i] = entry;
        }

        return [result];
    }

    private static bool Same(TagValue? a, TagValue? b) => a is null ? b is null : a.Equals(b);

    private static int IndexOf(IReadOnlyList<string> entity, string tag)
    {
        for (int i = 0; i < entity.Count; i++)
        {
            if (entity[i] == tag)
            {
                return i;
            }
        }

        return -1;
    }
}
