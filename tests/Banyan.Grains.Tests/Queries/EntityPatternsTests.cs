using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Banyan.Storage.Series;
using Banyan.Storage.Values;
using static Banyan.Grains.Tests.Queries.QuerySchemas;
using ApiCriteria = Banyan.Api.Model.V1.Criteria;
using Op = Banyan.Api.Model.V1.Condition.Types.BinaryOp;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// The series an entity-tag condition tree selects, as BanyanDB's <c>ParseEntities</c> computes them, on the stream
/// <c>q_log</c> whose entity is (service, instance). Patterns print as "service,instance" with <c>*</c> for any value.
/// </summary>
public sealed class EntityPatternsTests
{
    private static readonly QuerySubject s_stream = Subject(SchemaKind.Stream);

    [Fact]
    public void No_criteria_select_every_series()
    {
        EntityPatterns patterns = EntityPatterns.Of(null, s_stream);
        Assert.True(patterns.IsAny);
        Assert.Equal(["*,*"], Print(patterns));
        Assert.True(patterns.Matches([TagValue.FromString("x"), TagValue.FromString("y")]));
    }

    [Fact]
    public void EQ_on_an_entity_tag_fixes_its_position()
    {
        EntityPatterns patterns = EntityPatterns.Of(Where.Eq("instance", "i1"), s_stream);
        Assert.Equal(["*,i1"], Print(patterns));
        Assert.False(patterns.IsAny);
        Assert.True(patterns.Matches([TagValue.FromString("any service"), TagValue.FromString("i1")]));
        Assert.False(patterns.Matches([TagValue.FromString("any service"), TagValue.FromString("i2")]));
        Assert.False(patterns.Matches([TagValue.FromString("any service"), null]));
    }

    [Fact]
    public void IN_on_an_entity_tag_gives_one_pattern_per_value()
    {
        EntityPatterns patterns = EntityPatterns.Of(Where.Is("service", Op.In, Strs("a", "b", "c")), s_stream);
        Assert.Equal(["a,*", "b,*", "c,*"], Print(patterns));
        Assert.True(patterns.Matches([TagValue.FromString("b"), TagValue.FromString("whatever")]));
        Assert.False(patterns.Matches([TagValue.FromString("d"), TagValue.FromString("whatever")]));
    }

    [Fact]
    public void Patterns_that_fix_only_a_leading_run_of_entity_tags_are_answered_by_key_prefixes_alone()
    {
        // service = a (and instance open), either of two services, both tags, or nothing: a series key prefix per pattern.
        Assert.True(EntityPatterns.Of(Where.Eq("service", "a"), s_stream).AreLeadingRuns);
        Assert.True(EntityPatterns.Of(Where.Is("service", Op.In, Strs("a", "b")), s_stream).AreLeadingRuns);
        Assert.True(EntityPatterns.Of(Where.And(Where.Eq("service", "a"), Where.Eq("instance", "i1")), s_stream).AreLeadingRuns);
        Assert.True(EntityPatterns.Of(null, s_stream).AreLeadingRuns);

        // instance = i1 with any service: a prefix read takes every service's series, so each must be checked; so also
        // when one pattern of several is like that.
        Assert.False(EntityPatterns.Of(Where.Eq("instance", "i1"), s_stream).AreLeadingRuns);
        Assert.False(EntityPatterns.Of(Where.Or(Where.Eq("service", "a"), Where.Eq("instance", "i1")), s_stream).AreLeadingRuns);
    }

    [Fact]
    public void Patterns_that_fix_every_entity_tag_name_their_series_ids_as_writes_compute_them()
    {
        // The series id a write gives the element (service a, instance i1) or (service b, instance i1).
        ulong a = SeriesKey.ComputeSeriesId("q_log", [TagValue.FromString("a"), TagValue.FromString("i1")]);
        ulong b = SeriesKey.ComputeSeriesId("q_log", [TagValue.FromString("b"), TagValue.FromString("i1")]);
        EntityPatterns one = EntityPatterns.Of(Where.And(Where.Eq("service", "a"), Where.Eq("instance", "i1")), s_stream);
        Assert.Equal([a], one.ExactSeriesIds("q_log")!);

        // OR keeps one pattern per side: one id each, ascending and without duplicates (the engine's series filter needs both).
        ApiCriteria b1 = Where.And(Where.Eq("service", "b"), Where.Eq("instance", "i1"));
        EntityPatterns two = EntityPatterns.Of(Where.Or(b1, Where.Or(Where.And(Where.Eq("service", "a"), Where.Eq("instance", "i1")), b1)), s_stream);
        Assert.Equal([Math.Min(a, b), Math.Max(a, b)], two.ExactSeriesIds("q_log")!);
    }

    [Fact]
    public void Patterns_that_leave_an_entity_tag_open_name_no_series_and_contradictions_name_none()
    {
        Assert.Null(EntityPatterns.Of(Where.Eq("service", "a"), s_stream).ExactSeriesIds("q_log"));
        Assert.Null(EntityPatterns.Of(null, s_stream).ExactSeriesIds("q_log"));
        Assert.Empty(EntityPatterns.Of(Where.And(Where.Eq("service", "a"), Where.Eq("service", "b")), s_stream).ExactSeriesIds("q_log")!);
    }

    [Fact]
    public void Conditions_that_are_not_EQ_or_IN_on_an_entity_tag_select_any_series()
    {
        Assert.True(EntityPatterns.Of(Where.Is("duration", Op.Gt, Number(5)), s_stream).IsAny);
        Assert.True(EntityPatterns.Of(Where.Eq("region", "eu"), s_stream).IsAny);

        // A measure may test an entity tag with NE: that condition filters rows, it selects no series.
        Assert.True(EntityPatterns.Of(Where.Is("service", Op.Ne, Str("a")), Subject(SchemaKind.Measure)).IsAny);
    }

    [Fact]
    public void AND_merges_the_positions_of_both_sides()
    {
        EntityPatterns patterns = EntityPatterns.Of(Where.And(Where.Eq("service", "a"), Where.Eq("instance", "i1")), s_stream);
        Assert.Equal(["a,i1"], Print(patterns));
        Assert.False(patterns.Matches([TagValue.FromString("a"), TagValue.FromString("i2")]));
        Assert.True(patterns.Matches([TagValue.FromString("a"), TagValue.FromString("i1")]));

        // The same value twice agrees; a non-entity side leaves the other side's patterns as they are.
        Assert.Equal(["a,*"], Print(EntityPatterns.Of(Where.And(Where.Eq("service", "a"), Where.Eq("service", "a")), s_stream)));
        Assert.Equal(["a,*"], Print(EntityPatterns.Of(Where.And(Where.Is("duration", Op.Lt, Number(3)), Where.Eq("service", "a")), s_stream)));
        Assert.Equal(["a,*", "b,*"], Print(EntityPatterns.Of(Where.And(Where.Is("service", Op.In, Strs("a", "b")), Where.Eq("region", "eu")), s_stream)));
    }

    [Fact]
    public void AND_of_contradicting_values_selects_no_series_at_the_top()
    {
        EntityPatterns patterns = EntityPatterns.Of(Where.And(Where.Eq("service", "a"), Where.Eq("service", "b")), s_stream);
        Assert.True(patterns.IsEmpty);
        Assert.Null(patterns.Patterns);
        Assert.False(patterns.IsAny);
        Assert.False(patterns.Matches([TagValue.FromString("a"), TagValue.FromString("i1")]));
        Assert.False(patterns.Matches([TagValue.FromString("b"), TagValue.FromString("i1")]));
    }

    [Fact]
    public void OR_keeps_different_values_apart_and_merges_equal_ones()
    {
        Assert.Equal(["a,*", "b,*"], Print(EntityPatterns.Of(Where.Or(Where.Eq("service", "a"), Where.Eq("service", "b")), s_stream)));
        Assert.Equal(["a,*", "*,i1"], Print(EntityPatterns.Of(Where.Or(Where.Eq("service", "a"), Where.Eq("instance", "i1")), s_stream)));
        Assert.Equal(["a,*"], Print(EntityPatterns.Of(Where.Or(Where.Eq("service", "a"), Where.Eq("service", "a")), s_stream)));

        EntityPatterns both = EntityPatterns.Of(Where.Or(Where.Eq("service", "a"), Where.Eq("instance", "i1")), s_stream);
        Assert.True(both.Matches([TagValue.FromString("a"), TagValue.FromString("i9")]));
        Assert.True(both.Matches([TagValue.FromString("z"), TagValue.FromString("i1")]));
        Assert.False(both.Matches([TagValue.FromString("z"), TagValue.FromString("i9")]));
    }

    [Fact]
    public void OR_with_a_side_that_selects_any_series_selects_any_series()
    {
        Assert.True(EntityPatterns.Of(Where.Or(Where.Eq("service", "a"), Where.Is("duration", Op.Gt, Number(5))), s_stream).IsAny);
        Assert.True(EntityPatterns.Of(Where.Or(Where.Eq("region", "eu"), Where.Eq("service", "a")), s_stream).IsAny);
    }

    [Fact]
    public void A_contradiction_inside_the_tree_counts_as_any_for_an_AND_parent()
    {
        ApiCriteria contradiction = Where.And(Where.Eq("service", "a"), Where.Eq("service", "b"));
        Assert.Equal(["*,i1"], Print(EntityPatterns.Of(Where.And(contradiction, Where.Eq("instance", "i1")), s_stream)));
        Assert.Equal(["*,i1"], Print(EntityPatterns.Of(Where.And(Where.Eq("instance", "i1"), contradiction), s_stream)));
    }

    [Fact]
    public void An_OR_parent_of_a_contradiction_passes_it_up_as_BanyanDB_merge_returns_the_any_side()
    {
        // BanyanDB's ParseEntities returns the "any" side of an OR as it is; a contradiction (nil) is "any" there, so
        // the whole tree selects nothing.
        ApiCriteria contradiction = Where.And(Where.Eq("service", "a"), Where.Eq("service", "b"));
        Assert.True(EntityPatterns.Of(Where.Or(contradiction, Where.Eq("service", "c")), s_stream).IsEmpty);
    }

    [Fact]
    public void A_logical_expression_with_one_side_uses_that_side()
    {
        ApiCriteria leftOnly = new() { Le = new Banyan.Api.Model.V1.LogicalExpression { Op = Banyan.Api.Model.V1.LogicalExpression.Types.LogicalOp.And, Left = Where.Eq("service", "a") } };
        ApiCriteria rightOnly = new() { Le = new Banyan.Api.Model.V1.LogicalExpression { Op = Banyan.Api.Model.V1.LogicalExpression.Types.LogicalOp.Or, Right = Where.Eq("instance", "i1") } };
        Assert.Equal(["a,*"], Print(EntityPatterns.Of(leftOnly, s_stream)));
        Assert.Equal(["*,i1"], Print(EntityPatterns.Of(rightOnly, s_stream)));
    }

    [Fact]
    public void Int_entity_values_compare_by_value()
    {
        QuerySubject subject = QuerySubject.Resolve(
            SchemaCatalog.Create(1, [Group("g", Banyan.Api.Common.V1.Catalog.Measure), IntEntityMeasure()]), SchemaKind.Measure, "g", "by_code", DateTimeOffset.UtcNow);
        EntityPatterns patterns = EntityPatterns.Of(Where.Is("code", Op.In, Ints(200, 404)), subject);
        Assert.Equal(["200", "404"], Print(patterns));
        Assert.True(patterns.Matches([TagValue.FromInt64(404)]));
        Assert.False(patterns.Matches([TagValue.FromString("404")]));
        Assert.True(EntityPatterns.Of(Where.And(Where.Is("code", Op.Eq, Number(200)), Where.Is("code", Op.Eq, Number(404))), subject).IsEmpty);
    }

    internal static QuerySubject Subject(SchemaKind kind) => kind == SchemaKind.Stream
        ? QuerySubject.Resolve(SchemaCatalog.Create(1, StreamGroup("g")), SchemaKind.Stream, "g", StreamName, DateTimeOffset.UtcNow)
        : QuerySubject.Resolve(SchemaCatalog.Create(1, MeasureGroup("g")), SchemaKind.Measure, "g", MeasureName, DateTimeOffset.UtcNow);

    private static Banyan.Api.Database.V1.Measure IntEntityMeasure()
    {
        Banyan.Api.Database.V1.Measure measure = Measure("g");
        measure.Metadata.Name = "by_code";
        measure.Entity = new Banyan.Api.Database.V1.Entity { TagNames = { "code" } };
        return measure;
    }

    private static List<string> Print(EntityPatterns patterns)
    {
        Assert.NotNull(patterns.Patterns);
        return [.. patterns.Patterns.Select(p => string.Join(',', p.Select(v => v is null ? "*" : v.Kind == TagValueKind.Str ? v.Text : v.ToString())))];
    }
}
