using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Queries;
using Banyan.Grains.Schema;
using Google.Protobuf.WellKnownTypes;
using static Banyan.Grains.Tests.Queries.QuerySchemas;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// <see cref="QuerySubject.Resolve"/> makes a subject once per catalog and set of active index-rule bindings: a query
/// reuses it, a schema change (a new catalog) or a binding whose window opens or closes gives a new one that sees it.
/// </summary>
public sealed class QuerySubjectCacheTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_same_catalog_gives_the_same_subject()
    {
        SchemaCatalog catalog = SchemaCatalog.Create(1, MeasureGroup("g"));
        QuerySubject first = QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", MeasureName, s_now);
        Assert.Same(first, QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", MeasureName, s_now.AddHours(1)));
        Assert.NotNull(first.RuleOfTag("instance"));
    }

    [Fact]
    public void A_schema_change_gives_a_subject_that_sees_it()
    {
        SchemaCatalog before = SchemaCatalog.Create(1, MeasureGroup("g"));
        QuerySubject old = QuerySubject.Resolve(before, SchemaKind.Measure, "g", MeasureName, s_now);
        Assert.False(old.TryGetField("extra", out _));

        Measure changed = Measure("g");
        changed.Fields.Add(new FieldSpec { Name = "extra", FieldType = FieldType.Int });
        SchemaCatalog after = SchemaCatalog.Create(2, [Group("g", Banyan.Api.Common.V1.Catalog.Measure), changed, .. MeasureRules("g")]);
        QuerySubject updated = QuerySubject.Resolve(after, SchemaKind.Measure, "g", MeasureName, s_now);
        Assert.NotSame(old, updated);
        Assert.True(updated.TryGetField("extra", out FieldType type));
        Assert.Equal(FieldType.Int, type);

        // The old catalog still answers with its own subject (a query that started before the change).
        Assert.Same(old, QuerySubject.Resolve(before, SchemaKind.Measure, "g", MeasureName, s_now));
    }

    [Fact]
    public void A_binding_window_that_opens_or_closes_changes_the_rules()
    {
        IndexRule rule = (IndexRule)MeasureRules("g")[0];
        IndexRuleBinding binding = (IndexRuleBinding)MeasureRules("g")[1];
        binding.BeginAt = Timestamp.FromDateTimeOffset(s_now.AddHours(1));
        binding.ExpireAt = Timestamp.FromDateTimeOffset(s_now.AddHours(2));
        SchemaCatalog catalog = SchemaCatalog.Create(1, [Group("g", Banyan.Api.Common.V1.Catalog.Measure), Measure("g"), rule, binding]);

        QuerySubject before = QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", MeasureName, s_now);
        Assert.Null(before.RuleOfTag("instance"));
        QuerySubject during = QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", MeasureName, s_now.AddMinutes(90));
        Assert.NotNull(during.RuleOfTag("instance"));
        Assert.Same(during, QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", MeasureName, s_now.AddMinutes(100)));
        QuerySubject after = QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", MeasureName, s_now.AddHours(3));
        Assert.Null(after.RuleOfTag("instance"));
    }

    [Fact]
    public void A_missing_subject_is_refused_every_time()
    {
        SchemaCatalog catalog = SchemaCatalog.Create(1, MeasureGroup("g"));
        Assert.Throws<SchemaNotFoundException>(() => QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", "nope", s_now));
        Assert.Throws<SchemaNotFoundException>(() => QuerySubject.Resolve(catalog, SchemaKind.Measure, "g", "nope", s_now));
        Assert.Throws<SchemaNotFoundException>(() => QuerySubject.Resolve(catalog, SchemaKind.Measure, "other", MeasureName, s_now));
    }
}
