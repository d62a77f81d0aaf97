using Banyan.Conformance.Cases;
using Banyan.Conformance.Running;
using Banyan.Conformance.Seeding;
using Google.Protobuf;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Conformance.Tests;

/// <summary>The harness reads the fixtures completely: case tables, the seed plan, every input and want.</summary>
public sealed class FixtureLoadingTests
{
    private static readonly ConformanceFixtures s_fixtures = ConformanceFixtures.Default;

    [Theory]
    [InlineData("stream", 95)]
    [InlineData("measure", 105)]
    [InlineData("topn", 20)]
    public void Suite_has_its_upstream_case_count(string suite, int count)
    {
        ConformanceSuite table = s_fixtures.Cases.Get(suite);

        Assert.Equal(count, table.Cases.Count);
        Assert.Equal(count, table.DeclaredCount);
        Assert.Equal(count, table.Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("stream")]
    [InlineData("measure")]
    [InlineData("topn")]
    public void Every_case_builds_its_request_and_reads_its_want(string suite)
    {
        ConformanceSuite table = s_fixtures.Cases.Get(suite);
        BaseTime b = new(1_785_579_600_000); // 2026-08-01T10:20:00Z
        foreach (ConformanceCase c in table.Cases)
        {
            IMessage request = CaseRequests.Build(s_fixtures, table, c, b);
            Assert.Equal(table.RequestType, request.Descriptor);
            if (!c.WantErr && !c.WantEmpty)
            {
                Assert.Equal(table.ResponseType, CaseRequests.ReadWant(s_fixtures, table, c).Descriptor);
            }
        }
    }

    [Fact]
    public void Case_flags_and_windows_are_read()
    {
        CaseTable cases = s_fixtures.Cases;
        ConformanceCase all = cases.Get("stream").Get("all elements");
        Assert.Equal(("all", "all", 0L, 3_600_000L), (all.Input, all.Want, all.OffsetMs, all.DurationMs));
        Assert.False(all.WantErr || all.WantEmpty || all.DisOrder || all.IgnoreElementId);

        ConformanceCase maxLimit = cases.Get("stream").Get("max limit");
        Assert.Equal(("all_max_limit", "all"), (maxLimit.Input, maxLimit.Want));

        ConformanceCase nothing = cases.Get("stream").Get("nothing");
        Assert.True(nothing.WantEmpty);
        Assert.Equal(0, nothing.Begin!.Seconds);

        ConformanceCase invalid = cases.Get("stream").Get("invalid time range");
        Assert.Equal(-9_223_372_037L, invalid.Begin!.Seconds);
        Assert.Equal(146_000_000, invalid.Begin.Nanos);
        Assert.Equal(9_223_372_036L, invalid.End!.Seconds);

        Assert.True(cases.Get("stream").Get("err in arr").WantErr);
        Assert.True(cases.Get("stream").Get("write mixed").IgnoreElementId);
        ConformanceCase generated = cases.Get("stream").Get("gen_feat_ts_asc_filter_none_limit5_offset1_proj_all_group_single_1");
        Assert.True(generated.DisOrder && generated.IgnoreElementId);

        ConformanceCase xl = cases.Get("measure").Get("all of index mode in a larger time range");
        Assert.Equal(("index_mode_all", "index_mode_all_xl", -259_200_000L, 345_600_000L, true), (xl.Input, xl.Want, xl.OffsetMs, xl.DurationMs, xl.DisOrder));
        Assert.Equal(("params_bind", "condition_aggr_desc"), (cases.Get("topn").Get("condition with bound parameters").Input, cases.Get("topn").Get("condition with bound parameters").Want));
    }

    [Fact]
    public void Ignore_fields_are_upstreams()
    {
        // protocmp.IgnoreFields in test/cases/{stream,measure,topn}/data/data.go.
        Assert.Equal(["Element.timestamp"], s_fixtures.Cases.Get("stream").IgnoreFields);
        Assert.Equal(["DataPoint.timestamp", "DataPoint.version", "DataPoint.sid"], s_fixtures.Cases.Get("measure").IgnoreFields);
        Assert.Equal(["TopNList.timestamp"], s_fixtures.Cases.Get("topn").IgnoreFields);
    }

    [Fact]
    public void Request_gets_the_case_window_and_stages()
    {
        ConformanceSuite measure = s_fixtures.Cases.Get("measure");
        BaseTime b = new(1_785_579_600_000); // 2026-08-01T10:20:00Z
        MeasureV1.QueryRequest request = (MeasureV1.QueryRequest)CaseRequests.Build(s_fixtures, measure, measure.Get("all") with { Stages = ["warm"] }, b);

        // offset −20 min, duration 25 min: [10:00:00, 10:25:00], both inclusive on the server.
        Assert.Equal(DateTimeOffset.Parse("2026-08-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), request.TimeRange.Begin.ToDateTimeOffset());
        Assert.Equal(DateTimeOffset.Parse("2026-08-01T10:25:00Z", System.Globalization.CultureInfo.InvariantCulture), request.TimeRange.End.ToDateTimeOffset());
        Assert.Equal(["warm"], request.Stages);
        Assert.Equal("service_cpm_minute", request.Name);

        ConformanceSuite stream = s_fixtures.Cases.Get("stream");
        StreamV1.QueryRequest invalid = (StreamV1.QueryRequest)CaseRequests.Build(s_fixtures, stream, stream.Get("invalid time range"), b);
        Assert.Equal((-9_223_372_037L, 146_000_000), (invalid.TimeRange.Begin.Seconds, invalid.TimeRange.Begin.Nanos));
        Assert.Equal((9_223_372_036L, 854_000_000), (invalid.TimeRange.End.Seconds, invalid.TimeRange.End.Nanos));
        Assert.Empty(invalid.Stages);
    }

    [Fact]
    public void Seed_plan_reads_schema_order_and_steps()
    {
        SeedPlan plan = s_fixtures.Seed;

        Assert.Equal(["stream", "measure", "trace", "property"], plan.SchemaLoadOrder.Select(e => e.Catalog));
        SchemaLoadEntry stream = plan.SchemaLoadOrder[0];
        Assert.Equal("pkg/test/stream/testdata/group.json", stream.Groups);
        Assert.True(stream.GroupsAreArray);
        Assert.Equal(["pkg/test/stream/testdata/streams/*.json", "pkg/test/stream/testdata/index_rules/*.json", "pkg/test/stream/testdata/index_rule_bindings/*.json"], stream.Then);
        SchemaLoadEntry measure = plan.SchemaLoadOrder[1];
        Assert.False(measure.GroupsAreArray);
        Assert.EndsWith("topn_aggregations/*.json", measure.Then[^1], StringComparison.Ordinal);

        Assert.Equal(6, plan.Steps.Count(s => s.Catalog == "stream"));
        Assert.Equal(24, plan.Steps.Count(s => s.Catalog == "measure"));
        Assert.Equal(2, plan.Steps.Count(s => s.WaitSeconds == 2));
        Assert.Equal(["stream sw default -518400000", "measure service_traffic index_mode -864000000", "trace sw test-trace-group -518400000"],
            plan.Steps.Where(s => s.IsExpired).Select(s => $"{s.Catalog} {s.Name} {s.Group} {s.BaseOffsetMs}"));

        SeedStep mixed = plan.Steps.Single(s => s.Mode == SeedMode.StreamMixed);
        Assert.Equal([false, true, true], mixed.Parts.Select(p => p.IsSpec));
        Assert.Equal([false, false, true], mixed.Parts.Select(p => p.MetadataOnFirstRequest));
        Assert.Equal(["data", "searchable"], mixed.Parts[1].TagFamilySpec.Select(f => f.Name));
        SeedStep measureMixed = plan.Steps.Single(s => s.Mode == SeedMode.MeasureMixed);
        Assert.Equal(["total", "value"], measureMixed.Parts[2].DataPointSpec!.FieldNames);
    }

    [Fact]
    public void Schema_globs_expand_in_file_name_order()
    {
        IReadOnlyList<string> files = SchemaLoadEntry.Expand(s_fixtures.Root, "pkg/test/measure/testdata/groups/*.json");

        Assert.Equal(8, files.Count);
        Assert.Equal([.. files.OrderBy(f => f, StringComparer.Ordinal)], files);
        Assert.Throws<FormatException>(() => SchemaLoadEntry.Expand(s_fixtures.Root, "pkg/test/measure/testdata/groups/*.yaml"));
    }
}
