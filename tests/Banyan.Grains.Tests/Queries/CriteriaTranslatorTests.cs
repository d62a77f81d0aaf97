using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Queries;
using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Query;
using static Banyan.Grains.Tests.Queries.QuerySchemas;
using ApiCondition = Banyan.Api.Model.V1.Condition;
using ApiCriteria = Banyan.Api.Model.V1.Criteria;
using ApiLogicalExpression = Banyan.Api.Model.V1.LogicalExpression;
using Op = Banyan.Api.Model.V1.Condition.Types.BinaryOp;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// BanyanDB criteria checked against the schema and turned into the engine's tree: every refusal names the field path
/// and the reason; with the entity conditions holding (the shard's view), entity-only sides are left out as BanyanDB's
/// planner leaves them out.
/// </summary>
public sealed class CriteriaTranslatorTests
{
    private static readonly QuerySubject s_stream = EntityPatternsTests.Subject(SchemaKind.Stream);
    private static readonly QuerySubject s_measure = EntityPatternsTests.Subject(SchemaKind.Measure);

    public static TheoryData<string, ApiCriteria, string, string> Refusals() => new()
    {
        { "unknown tag", Where.Eq("nope", "x"), "criteria.condition.name", "tag 'nope' is not declared by stream 'g/q_log'" },
        { "IN with a scalar", Where.Is("region", Op.In, Str("eu")), "criteria.condition.value", "In needs an array value, got a string" },
        { "NOT_IN with a scalar", Where.Is("duration", Op.NotIn, Number(3)), "criteria.condition.value", "NotIn needs an array value, got an int" },
        { "IN on an array tag", Where.Is("labels", Op.In, Strs("a")), "criteria.condition.op", "tag 'labels' is an array (use HAVING or NOT_HAVING)" },
        { "LT on an array tag", Where.Is("codes", Op.Lt, Number(3)), "criteria.condition.op", "compares single values; tag 'codes' or the value is an array" },
        { "GE with an array value", Where.Is("duration", Op.Ge, Ints(3)), "criteria.condition.op", "compares single values; tag 'duration' or the value is an array" },
        { "MATCH with an int", Where.Is("endpoint", Op.Match, Number(3)), "criteria.condition.value", "MATCH needs a string value, got an int" },
        { "MATCH on a skipping rule", Where.Match("region", "eu"), "criteria.condition.name", "MATCH needs an inverted index rule on tag 'region' of stream 'g/q_log'" },
        { "MATCH without a rule", Where.Match("labels", "eu"), "criteria.condition.name", "MATCH needs an inverted index rule on tag 'labels' of stream 'g/q_log'" },
        { "unknown analyzer", Where.Match("endpoint", "GET", analyzer: "klingon"), "criteria.condition.match_option.analyzer", "unknown analyzer 'klingon'" },
        { "NE on an entity tag", Where.Is("service", Op.Ne, Str("a")), "criteria.condition.op", "tag 'service' is an entity tag of stream 'g/q_log': only EQ and IN can test it, got Ne" },
        { "LT on an entity tag", Where.Is("instance", Op.Lt, Str("a")), "criteria.condition.op", "only EQ and IN can test it, got Lt" },
        { "NOT_IN on an entity tag", Where.Is("service", Op.NotIn, Strs("a")), "criteria.condition.op", "only EQ and IN can test it, got NotIn" },
        { "wrong value type", Where.Eq("duration", "ten"), "criteria.condition.value", "tag 'duration' is Int, the value is a string" },
        { "wrong array type", Where.Is("region", Op.In, Ints(1)), "criteria.condition.value", "tag 'region' is String, the value is an int array" },
        { "null value", Where.Eq("region", Null()), "criteria.condition.value", "a null value cannot be compared" },
        { "unset value", new ApiCriteria { Condition = new ApiCondition { Name = "region", Op = Op.Eq } }, "criteria.condition.value", "a null value cannot be compared" },
        { "unknown operator", Where.Is("region", Op.Unspecified, Str("eu")), "criteria.condition.op", "unknown operator Unspecified" },
        { "empty logical expression", new ApiCriteria { Le = new ApiLogicalExpression { Op = ApiLogicalExpression.Types.LogicalOp.And } }, "criteria.le", "a logical expression needs a left or a right criteria" },
        {
            "unknown logical operator",
            new ApiCriteria { Le = new ApiLogicalExpression { Left = Where.Eq("region", "eu"), Right = Where.Eq("region", "us") } },
            "criteria.le.op", "the logical operator must be AND or OR, got Unspecified"
        },
        {
            "deep refusal",
            Where.And(Where.Eq("service", "a"), Where.Or(Where.Eq("region", "eu"), Where.Eq("nope", "x"))),
            "criteria.le.right.le.right.condition.name", "tag 'nope' is not declared"
        },
        {
            "deep analyzer",
            Where.Or(Where.Eq("region", "eu"), Where.Match("endpoint", "GET", analyzer: "klingon")),
            "criteria.le.right.condition.match_option.analyzer", "unknown analyzer 'klingon'"
        },
        { "only side refused", new ApiCriteria { Le = new ApiLogicalExpression { Op = ApiLogicalExpression.Types.LogicalOp.Or, Right = Where.Eq("nope", "x") } }, "criteria.le.right.condition.name", "tag 'nope'" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refusals_name_the_field_path_and_the_reason(string what, ApiCriteria criteria, string path, string reason)
    {
        foreach (bool hold in new[] { false, true })
        {
            SchemaValidationException e = Assert.Throws<SchemaValidationException>(() => CriteriaTranslator.Translate(criteria, s_stream, hold));
            Assert.True(e.Field == path, $"{what}: field {e.Field}, expected {path}");
            Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
            Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TagsOf_names_every_tag_of_the_tree_for_the_shard_scan_projection()
    {
        Assert.Empty(CriteriaTranslator.TagsOf(null));
        Assert.Equal(["region"], CriteriaTranslator.TagsOf(Where.Eq("region", "eu")));
        Assert.Equal(
            ["service", "region", "duration", "duration"],
            CriteriaTranslator.TagsOf(Where.And(Where.Eq("service", "a"), Where.Or(Where.Eq("region", "eu"), Where.And(Where.Is("duration", Op.Gt, Number(1)), Where.Is("duration", Op.Lt, Number(9)))))));
    }

    [Fact]
    public void A_measure_may_test_an_entity_tag_with_any_operator()
    {
        Criteria tree = CriteriaTranslator.Translate(Where.Is("service", Op.Ne, Str("a")), s_measure, entityConditionsHold: true)!;
        Assert.Equal("service Ne \"a\"", tree.ToString());
        Assert.Equal("instance Lt \"i\"", CriteriaTranslator.Translate(Where.Is("instance", Op.Lt, Str("i")), s_measure)!.ToString());
    }

    [Fact]
    public void Every_operator_becomes_its_engine_condition()
    {
        Assert.Equal("region Eq \"eu\"", Translate(Where.Eq("region", "eu")));
        Assert.Equal("region Ne \"eu\"", Translate(Where.Is("region", Op.Ne, Str("eu"))));
        Assert.Equal("duration Lt 5", Translate(Where.Is("duration", Op.Lt, Number(5))));
        Assert.Equal("duration Gt 5", Translate(Where.Is("duration", Op.Gt, Number(5))));
        Assert.Equal("duration Le 5", Translate(Where.Is("duration", Op.Le, Number(5))));
        Assert.Equal("duration Ge 5", Translate(Where.Is("duration", Op.Ge, Number(5))));
        Assert.Equal("region In [\"eu\",\"us\"]", Translate(Where.Is("region", Op.In, Strs("eu", "us"))));
        Assert.Equal("duration NotIn [1,2]", Translate(Where.Is("duration", Op.NotIn, Ints(1, 2))));
        Assert.Equal("labels Having [\"a\",\"b\"]", Translate(Where.Is("labels", Op.Having, Strs("a", "b"))));
        Assert.Equal("codes NotHaving [7]", Translate(Where.Is("codes", Op.NotHaving, Ints(7))));
        Assert.Equal("(region Eq \"eu\" Or (duration Gt 1 And duration Lt 9))", Translate(Where.Or(Where.Eq("region", "eu"), Where.And(Where.Is("duration", Op.Gt, Number(1)), Where.Is("duration", Op.Lt, Number(9))))));

        Condition match = Assert.IsType<Condition>(CriteriaTranslator.Translate(Where.Match("endpoint", "GET users", analyzer: "standard", all: true), s_stream));
        Assert.Equal(ConditionOp.Match, match.Op);
        Assert.Equal(new MatchOptions(AnalyzerKind.Standard, MatchOperator.And), match.Match);
        Condition byRule = Assert.IsType<Condition>(CriteriaTranslator.Translate(Where.Match("endpoint", "GET"), s_stream));
        Assert.Equal(new MatchOptions(AnalyzerKind.None, MatchOperator.Or), byRule.Match);
    }

    [Fact]
    public void No_criteria_or_an_empty_one_lets_every_row_pass()
    {
        Assert.Null(CriteriaTranslator.Translate(null, s_stream));
        Assert.Null(CriteriaTranslator.Translate(new ApiCriteria(), s_stream, entityConditionsHold: true));
    }

    [Fact]
    public void Without_the_entity_conditions_holding_the_whole_tree_is_kept()
    {
        Assert.Equal("(service Eq \"a\" And duration Gt 5)", Translate(Where.And(Where.Eq("service", "a"), Where.Is("duration", Op.Gt, Number(5)))));
        Assert.Equal("service In [\"a\",\"b\"]", Translate(Where.Is("service", Op.In, Strs("a", "b"))));
    }

    [Fact]
    public void Entity_only_sides_are_left_out_when_the_entity_conditions_hold()
    {
        Assert.Null(Held(Where.Eq("service", "a"), s_stream));
        Assert.Null(Held(Where.Is("service", Op.In, Strs("a", "b")), s_stream));
        Assert.Null(Held(Where.And(Where.Eq("service", "a"), Where.Eq("instance", "i1")), s_stream));
        Assert.Equal("duration Gt 5", Held(Where.And(Where.Eq("service", "a"), Where.Is("duration", Op.Gt, Number(5))), s_stream));
        Assert.Equal("duration Gt 5", Held(Where.And(Where.Is("duration", Op.Gt, Number(5)), Where.Eq("instance", "i1")), s_stream));

        // OR next to an entity-only side: BanyanDB's planner keeps only the other side (the series selection is "any").
        Assert.Equal("duration Gt 5", Held(Where.Or(Where.Eq("service", "a"), Where.Is("duration", Op.Gt, Number(5))), s_stream));
        Assert.Equal("(region Eq \"eu\" Or duration Lt 2)", Held(Where.And(Where.Eq("service", "a"), Where.Or(Where.Eq("region", "eu"), Where.Is("duration", Op.Lt, Number(2)))), s_stream));

        // A contradicting subtree holds no condition; the parent AND keeps its other side.
        Assert.Equal("duration Gt 5", Held(Where.And(Where.And(Where.Eq("service", "a"), Where.Eq("service", "b")), Where.Is("duration", Op.Gt, Number(5))), s_stream));
    }

    [Fact]
    public void A_measure_OR_next_to_fully_given_series_matches_every_row_of_them()
    {
        // Left: entity-only (a, i1). Right: the same series and code = 5. The series are fully given, so BanyanDB's measure
        // planner answers every point of (a, i1); its stream planner keeps the right side's filter.
        ApiCriteria series = Where.And(Where.Eq("service", "a"), Where.Eq("instance", "i1"));
        ApiCriteria criteria = Where.Or(series, Where.And(series, Where.Is("code", Op.Eq, Number(5))));
        Assert.Null(Held(criteria, s_measure));
        Assert.Equal(["a,i1"], EntityPatterns.Of(criteria, s_measure).Patterns!.Select(p => string.Join(',', p.Select(v => v!.Text))));

        ApiCriteria streamCriteria = Where.Or(series, Where.And(series, Where.Is("duration", Op.Eq, Number(5))));
        Assert.Equal("duration Eq 5", Held(streamCriteria, s_stream));

        // Series not fully given: the other side's filter stays.
        Assert.Equal("code Eq 5", Held(Where.Or(Where.Eq("service", "a"), Where.Is("code", Op.Eq, Number(5))), s_measure));
        Assert.Equal("code Eq 5", Held(Where.Or(Where.Eq("service", "a"), Where.And(Where.Eq("service", "a"), Where.Is("code", Op.Eq, Number(5)))), s_measure));
    }

    [Fact]
    public void Engine_values_keep_their_kind()
    {
        Assert.Equal(Banyan.Storage.Values.TagValue.FromString("x"), CriteriaTranslator.ToEngine(Str("x")));
        Assert.Equal(Banyan.Storage.Values.TagValue.FromInt64(-3), CriteriaTranslator.ToEngine(Number(-3)));
        Assert.Equal(Banyan.Storage.Values.TagValue.FromStringArray(["a", "b"]), CriteriaTranslator.ToEngine(Strs("a", "b")));
        Assert.Equal(Banyan.Storage.Values.TagValue.FromInt64Array([1, 2]), CriteriaTranslator.ToEngine(Ints(1, 2)));
        Assert.Equal(Banyan.Storage.Values.TagValue.FromTimestampNanos(1_500_000_007), CriteriaTranslator.ToEngine(new Banyan.Api.Model.V1.TagValue { Timestamp = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1, Nanos = 500_000_007 } }));
        Assert.Equal(Banyan.Storage.Values.TagValue.Null, CriteriaTranslator.ToEngine(Null()));
        Assert.Equal(Banyan.Storage.Values.TagValue.Null, CriteriaTranslator.ToEngine(new Banyan.Api.Model.V1.TagValue()));
    }

    private static string Translate(ApiCriteria criteria) => CriteriaTranslator.Translate(criteria, s_stream)!.ToString()!;

    private static string? Held(ApiCriteria criteria, QuerySubject subject) => CriteriaTranslator.Translate(criteria, subject, entityConditionsHold: true)?.ToString();
}
