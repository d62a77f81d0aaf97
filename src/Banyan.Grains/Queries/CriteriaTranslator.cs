using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Query;
using ApiCondition = Banyan.Api.Model.V1.Condition;
using ApiCriteria = Banyan.Api.Model.V1.Criteria;
using ApiLogicalExpression = Banyan.Api.Model.V1.LogicalExpression;
using ApiTagValue = Banyan.Api.Model.V1.TagValue;
using EngineTagValue = Banyan.Storage.Values.TagValue;

namespace Banyan.Grains.Queries;

/// <summary>
/// Checks BanyanDB's <c>model.v1.Criteria</c> against a subject's schema and turns it into the engine's criteria tree
/// (<see cref="Banyan.Storage.Query.Criteria"/>), whose evaluator has BanyanDB's semantics. Refusals name the field and the
/// reason, as BanyanDB's query planner refuses them (<c>pkg/query/logical/*_analyzer.go</c>, <c>pkg/query/logical/tag_filter.go</c>):
/// a tag the subject lacks, a value whose type is not the tag's, IN and NOT_IN without an array, a comparison of an array
/// tag, MATCH on a tag without an inverted index rule or with a non-string value, and (streams) an entity tag tested by
/// anything but EQ or IN, because BanyanDB's stream planner turns those into series lookups.
/// </summary>
internal static class CriteriaTranslator
{
    /// <summary>The engine criteria for <paramref name="criteria"/>; null when the request has none.</summary>
    /// <exception cref="SchemaValidationException">The criteria are malformed or do not fit the schema.</exception>
    public static Criteria? Translate(ApiCriteria? criteria, QuerySubject subject) => Translate(criteria, subject, entityConditionsHold: false);

    /// <summary>
    /// The engine criteria for <paramref name="criteria"/>, validated; with <paramref name="entityConditionsHold"/>, every
    /// EQ or IN condition on an entity tag is left out of the tree (BanyanDB turns those into the series selection,
    /// <see cref="EntityPatterns"/>; a logical node with such a side becomes its other side, AND and OR alike). Null:
    /// every row passes.
    /// </summary>
    /// <exception cref="SchemaValidationException">The criteria are malformed or do not fit the schema.</exception>
    public static Criteria? Translate(ApiCriteria? criteria, QuerySubject subject, bool entityConditionsHold)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return criteria is null || criteria.ExpCase == ApiCriteria.ExpOneofCase.None ? null : Node(criteria, subject, "criteria", entityConditionsHold);
    }

    // What a node is in BanyanDB's index query: absent (an entity-only node: its conditions select series instead),
    // match-all, or a tree. Absent and match-all both let every row of the selected series pass.
    private readonly record struct IndexNode(Criteria? Tree, bool MatchAll)
    {
        public static IndexNode Absent => new(null, false);

        public static IndexNode All => new(null, true);

        public bool IsAbsent => Tree is null && !MatchAll;
    }

    private static Criteria? Node(ApiCriteria criteria, QuerySubject subject, string path, bool entityConditionsHold)
        => Build(criteria, subject, path, entityConditionsHold).Tree;

    private static IndexNode Build(ApiCriteria criteria, QuerySubject subject, string path, bool entityConditionsHold)
    {
        switch (criteria.ExpCase)
        {
            case ApiCriteria.ExpOneofCase.Condition:
                Condition leaf = Leaf(criteria.Condition, subject, path + ".condition");
                return entityConditionsHold && subject.IsEntityTag(leaf.TagName) && leaf.Op is (ConditionOp.Eq or ConditionOp.In) ? IndexNode.Absent : new IndexNode(leaf, false);
            case ApiCriteria.ExpOneofCase.Le:
                return Logical(criteria.Le, subject, path + ".le", entityConditionsHold);
            default:
                throw new SchemaValidationException(path, "the criteria hold neither a condition nor a logical expression");
        }
    }

    private static IndexNode Logical(ApiLogicalExpression le, QuerySubject subject, string path, bool entityConditionsHold)
    {
        bool hasLeft = le.Left is { ExpCase: not ApiCriteria.ExpOneofCase.None };
        bool hasRight = le.Right is { ExpCase: not ApiCriteria.ExpOneofCase.None };
        if (!hasLeft && !hasRight)
        {
            throw new SchemaValidationException(path, "a logical expression needs a left or a right criteria");
        }

        if (!hasLeft || !hasRight)
        {
            // One side only: BanyanDB's planner uses that side as it is.
            return hasLeft ? Build(le.Left, subject, path + ".left", entityConditionsHold) : Build(le.Right, subject, path + ".right", entityConditionsHold);
        }

        LogicalOp op = le.Op switch
        {
            ApiLogicalExpression.Types.LogicalOp.And => LogicalOp.And,
            ApiLogicalExpression.Types.LogicalOp.Or => LogicalOp.Or,
            _ => throw new SchemaValidationException(path + ".op", $"the logical operator must be AND or OR, got {le.Op}"),
        };
        IndexNode left = Build(le.Left, subject, path + ".left", entityConditionsHold);
        IndexNode right = Build(le.Right, subject, path + ".right", entityConditionsHold);
        if (!entityConditionsHold)
        {
            return new IndexNode(new LogicalExpression(op, left.Tree!, right.Tree!), false);
        }

        // BanyanDB's inverted.BuildQuery / stream buildLocalFilter, node by node.
        List<Banyan.Storage.Values.TagValue?[]>? entities = EntityPatterns.Node(new ApiCriteria { Le = le }, subject);
        if (entities is null || (left.IsAbsent && right.IsAbsent))
        {
            return IndexNode.Absent;
        }

        if (left.MatchAll && right.MatchAll)
        {
            return IndexNode.All;
        }

        if (op == LogicalOp.And)
        {
            Criteria? a = left.Tree;
            Criteria? b = right.Tree;
            return a is null && b is null ? IndexNode.All : new IndexNode(a is null ? b : b is null ? a : new LogicalExpression(LogicalOp.And, a, b), false);
        }

        if (left.MatchAll || right.MatchAll)
        {
            return IndexNode.All;
        }

        if ((left.IsAbsent || right.IsAbsent) && subject.Kind == SchemaKind.Measure && entities.All(p => p.All(v => v is not null)))
        {
            // An entity-only side next to fully given series: the series selection alone answers (BanyanDB's
            // allEntitiesSpecific, measures only).
            return IndexNode.All;
        }

        return new IndexNode(left.IsAbsent ? right.Tree : right.IsAbsent ? left.Tree : new LogicalExpression(LogicalOp.Or, left.Tree!, right.Tree!), false);
    }

    private static Condition Leaf(ApiCondition condition, QuerySubject subject, string path)
    {
        string name = condition.Name;
        if (!subject.TryGetTag(name, out _, out TagType type))
        {
            throw new SchemaValidationException(path + ".name", $"tag '{name}' is not declared by {subject.Description}");
        }

        ApiTagValue value = condition.Value ?? new ApiTagValue();
        ConditionOp op = condition.Op switch
        {
            ApiCondition.Types.BinaryOp.Eq => ConditionOp.Eq,
            ApiCondition.Types.BinaryOp.Ne => ConditionOp.Ne,
            ApiCondition.Types.BinaryOp.Lt => ConditionOp.Lt,
            ApiCondition.Types.BinaryOp.Gt => ConditionOp.Gt,
            ApiCondition.Types.BinaryOp.Le => ConditionOp.Le,
            ApiCondition.Types.BinaryOp.Ge => ConditionOp.Ge,
            ApiCondition.Types.BinaryOp.Having => ConditionOp.Having,
            ApiCondition.Types.BinaryOp.NotHaving => ConditionOp.NotHaving,
            ApiCondition.Types.BinaryOp.In => ConditionOp.In,
            ApiCondition.Types.BinaryOp.NotIn => ConditionOp.NotIn,
            ApiCondition.Types.BinaryOp.Match => ConditionOp.Match,
            _ => throw new SchemaValidationException(path + ".op", $"unknown operator {condition.Op}"),
        };

        bool arrayTag = type is TagType.StringArray or TagType.IntArray;
        bool arrayValue = value.ValueCase is ApiTagValue.ValueOneofCase.StrArray or ApiTagValue.ValueOneofCase.IntArray;
        if (subject.Kind == SchemaKind.Stream && subject.IsEntityTag(name) && op is not (ConditionOp.Eq or ConditionOp.In))
        {
            throw new SchemaValidationException(path + ".op", $"tag '{name}' is an entity tag of {subject.Description}: only EQ and IN can test it, got {condition.Op}");
        }

        switch (op)
        {
            case ConditionOp.In or ConditionOp.NotIn:
                if (!arrayValue)
                {
                    throw new SchemaValidationException(path + ".value", $"{condition.Op} needs an array value, got {Describe(value)}");
                }

                if (arrayTag)
                {
                    throw new SchemaValidationException(path + ".op", $"{condition.Op} tests a single-valued tag; tag '{name}' is an array (use HAVING or NOT_HAVING)");
                }

                break;
            case ConditionOp.Lt or ConditionOp.Gt or ConditionOp.Le or ConditionOp.Ge:
                if (arrayTag || arrayValue)
                {
                    throw new SchemaValidationException(path + ".op", $"{condition.Op} compares single values; tag '{name}' or the value is an array");
                }

                break;
            case ConditionOp.Match:
                if (value.ValueCase != ApiTagValue.ValueOneofCase.Str)
                {
                    throw new SchemaValidationException(path + ".value", $"MATCH needs a string value, got {Describe(value)}");
                }

                if (subject.RuleOfTag(name) is not { Type: IndexRule.Types.Type.Inverted })
                {
                    throw new SchemaValidationException(path + ".name", $"MATCH needs an inverted index rule on tag '{name}' of {subject.Description}");
                }

                break;
        }

        if (value.ValueCase != ApiTagValue.ValueOneofCase.Null && value.ValueCase != ApiTagValue.ValueOneofCase.None && !Fits(type, value))
        {
            throw new SchemaValidationException(path + ".value", $"tag '{name}' is {type}, the value is {Describe(value)}");
        }

        EngineTagValue engineValue = ToEngine(value);
        if (engineValue.Kind == Banyan.Storage.Values.TagValueKind.Null)
        {
            // A null value has nothing to compare with; the engine's conditions need a value.
            throw new SchemaValidationException(path + ".value", "a null value cannot be compared; test another tag or value");
        }

        MatchOptions? match = op == ConditionOp.Match ? MatchOf(condition.MatchOption, path + ".match_option.analyzer") : null;
        try
        {
            return new Condition(name, op, engineValue, match);
        }
        catch (ArgumentException e)
        {
            throw new SchemaValidationException(path, e.Message);
        }
    }

    private static bool Fits(TagType type, ApiTagValue value) => value.ValueCase switch
    {
        ApiTagValue.ValueOneofCase.Str or ApiTagValue.ValueOneofCase.StrArray => type is TagType.String or TagType.StringArray,
        ApiTagValue.ValueOneofCase.Int or ApiTagValue.ValueOneofCase.IntArray => type is TagType.Int or TagType.IntArray,
        ApiTagValue.ValueOneofCase.BinaryData => type == TagType.DataBinary,
        ApiTagValue.ValueOneofCase.Timestamp => type == TagType.Timestamp,
        _ => false,
    };

    /// <summary>Every tag <paramref name="criteria"/> names, in tree order (repeats included); none for null.</summary>
    public static IEnumerable<string> TagsOf(ApiCriteria? criteria)
    {
        if (criteria?.ExpCase == ApiCriteria.ExpOneofCase.Condition)
        {
            yield return criteria.Condition.Name;
        }
        else if (criteria?.ExpCase == ApiCriteria.ExpOneofCase.Le)
        {
            foreach (string tag in TagsOf(criteria.Le.Left).Concat(TagsOf(criteria.Le.Right)))
            {
                yield return tag;
            }
        }
    }

    /// <summary>The engine value of a protobuf tag value (null and unset read as <see cref="EngineTagValue.Null"/>).</summary>
    public static EngineTagValue ToEngine(ApiTagValue value) => value.ValueCase switch
    {
        ApiTagValue.ValueOneofCase.Str => EngineTagValue.FromString(value.Str.Value),
        ApiTagValue.ValueOneofCase.Int => EngineTagValue.FromInt64(value.Int.Value),
        ApiTagValue.ValueOneofCase.StrArray => EngineTagValue.FromStringArray([.. value.StrArray.Value]),
        ApiTagValue.ValueOneofCase.IntArray => EngineTagValue.FromInt64Array([.. value.IntArray.Value]),
        ApiTagValue.ValueOneofCase.BinaryData => EngineTagValue.FromBinary(value.BinaryData.Span),
        ApiTagValue.ValueOneofCase.Timestamp => EngineTagValue.FromTimestampNanos((value.Timestamp.Seconds * 1_000_000_000L) + value.Timestamp.Nanos),
        _ => EngineTagValue.Null,
    };

    private static MatchOptions MatchOf(ApiCondition.Types.MatchOption? option, string analyzerPath)
    {
        if (option is null)
        {
            return MatchOptions.Default;
        }

        AnalyzerKind analyzer = option.Analyzer switch
        {
            "" => AnalyzerKind.None,
            "keyword" => AnalyzerKind.Keyword,
            "standard" => AnalyzerKind.Standard,
            "simple" => AnalyzerKind.Simple,
            "url" => AnalyzerKind.Url,
            _ => throw new SchemaValidationException(analyzerPath, $"unknown analyzer '{option.Analyzer}' (keyword, standard, simple or url)"),
        };
        return new MatchOptions(analyzer, option.Operator == ApiCondition.Types.MatchOption.Types.Operator.And ? MatchOperator.And : MatchOperator.Or);
    }

    private static string Describe(ApiTagValue value) => value.ValueCase switch
    {
        ApiTagValue.ValueOneofCase.None => "unset",
        ApiTagValue.ValueOneofCase.Null => "null",
        ApiTagValue.ValueOneofCase.Str => "a string",
        ApiTagValue.ValueOneofCase.Int => "an int",
        ApiTagValue.ValueOneofCase.StrArray => "a string array",
        ApiTagValue.ValueOneofCase.IntArray => "an int array",
        ApiTagValue.ValueOneofCase.BinaryData => "binary data",
        _ => value.ValueCase.ToString(),
    };
}
