using System.Text.Json;
using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using DatabaseV1 = Banyan.Api.Database.V1;
using MeasureV1 = Banyan.Api.Measure.V1;
using PropertyV1 = Banyan.Api.Property.V1;
using StreamV1 = Banyan.Api.Stream.V1;
using TraceV1 = Banyan.Api.Trace.V1;

namespace Banyan.Api.Tests;

/// <summary>
/// Protobuf JSON as BanyanDB's HTTP gateway and bydbctl write it: <see cref="JsonFormatter"/> emits exactly the
/// JSON names upstream's protoc assigned (lowerCamelCase), and <see cref="JsonParser"/> reads both those and the
/// original snake_case names. Checked on messages whose names are easy to get wrong (multi-word fields, "top_n",
/// maps at number 50, proto3 optional, durations).
/// </summary>
public sealed class JsonNameTests
{
    private static readonly JsonFormatter s_camelCase = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private static readonly JsonFormatter s_snakeCase =
        new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    private static readonly JsonParser s_strictParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    // Every field that has presence (messages, proto3 optional) is set, so with default values formatted the
    // output names every field of the message.
    private static readonly Dictionary<string, Func<IMessage>> s_populated = new(StringComparer.Ordinal)
    {
        ["banyandb.measure.v1.QueryRequest"] = () => new MeasureV1.QueryRequest
        {
            Groups = { "sw_metric" },
            Name = "service_cpm_minute",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTime(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)), End = new Timestamp() },
            Criteria = new Criteria { Condition = new Condition { Name = "id", Op = Condition.Types.BinaryOp.Eq } },
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "id" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
            GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { FieldName = "total", TagProjection = new TagProjection() },
            Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Max, FieldName = "total" },
            Top = new MeasureV1.QueryRequest.Types.Top { Number = 10, FieldName = "total", FieldValueSort = Sort.Desc },
            OrderBy = new QueryOrder { IndexRuleName = "id", Sort = Sort.Asc },
            RewriteAggTopNResult = true,
            GroupModRevisions = { ["sw_metric"] = 7 },
        },
        ["banyandb.stream.v1.QueryRequest"] = () => new StreamV1.QueryRequest
        {
            TimeRange = new TimeRange(),
            OrderBy = new QueryOrder(),
            Criteria = new Criteria(),
            Projection = new TagProjection(),
            GroupModRevisions = { ["sw_stream"] = 3 },
        },
        ["banyandb.stream.v1.WriteRequest"] = () => new StreamV1.WriteRequest
        {
            Metadata = new Metadata { Group = "default", Name = "sw" },
            Element = new StreamV1.ElementValue { ElementId = "1", Timestamp = new Timestamp() },
            MessageId = 1,
            TagFamilySpec = { new StreamV1.TagFamilySpec { Name = "searchable", TagNames = { "trace_id" } } },
        },
        ["banyandb.trace.v1.QueryResponse"] = () => new TraceV1.QueryResponse
        {
            TraceQueryResult = new Banyan.Api.Common.V1.Trace(),
            GroupStatuses = { ["sw_trace"] = Status.SchemaNotApplied },
        },
        ["banyandb.common.v1.Group"] = () => new Group
        {
            Metadata = new Metadata { Name = "sw_trace" },
            Catalog = Catalog.Trace,
            ResourceOpts = new ResourceOpts { ShardNum = 2 },
            UpdatedAt = new Timestamp(),
            CreatedAt = new Timestamp(),
            Pipeline = new TracePipelineConfig(),
        },
        ["banyandb.common.v1.TracePipelineConfig"] = () => new TracePipelineConfig
        {
            Enabled = true,
            MergeGrace = Duration.FromTimeSpan(TimeSpan.FromHours(2)),
            FinalizeGrace = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)),
            SchemaNameRegex = "^segment$",
            EnabledEvents = { PipelineEvent.Merge },
        },
        ["banyandb.database.v1.TopNAggregation"] = () => new DatabaseV1.TopNAggregation
        {
            Metadata = new Metadata(),
            SourceMeasure = new Metadata(),
            Criteria = new Criteria(),
            CountersNumber = 1000,
            LruSize = 10,
            UpdatedAt = new Timestamp(),
            CreatedAt = new Timestamp(),
        },
        ["banyandb.database.v1.Node"] = () => new DatabaseV1.Node
        {
            Metadata = new Metadata(),
            CreatedAt = new Timestamp(),
            PropertyRepairGossipGrpcAddress = "127.0.0.1:17932",
            Labels = { ["type"] = "hot" },
        },
        ["banyandb.database.v1.PropertyRegistryServiceListResponse"] = () => new DatabaseV1.PropertyRegistryServiceListResponse
        {
            Properties = { new DatabaseV1.Property { Metadata = new Metadata { Group = "sw", Name = "ui_template" } } },
        },
        ["banyandb.property.v1.QueryOrder"] = () => new PropertyV1.QueryOrder { TagName = "name", Sort = Sort.Asc },
    };

    public static TheoryData<string> Messages() => [.. s_populated.Keys];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Formatter_writes_upstream_json_names(string message)
    {
        IMessage populated = s_populated[message]();

        SortedSet<string> written = PropertyNames(s_camelCase.Format(populated));

        Assert.Equal(UpstreamNames(message, f => f.JsonName), written);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Parser_reads_both_json_names_and_proto_names(string message)
    {
        IMessage populated = s_populated[message]();
        string snakeCase = s_snakeCase.Format(populated);
        Assert.Equal(UpstreamNames(message, f => f.Name), PropertyNames(snakeCase));

        IMessage fromCamelCase = s_strictParser.Parse(s_camelCase.Format(populated), populated.Descriptor);
        IMessage fromSnakeCase = s_strictParser.Parse(snakeCase, populated.Descriptor);

        Assert.Equal(populated, fromCamelCase);
        Assert.Equal(populated, fromSnakeCase);
    }

    [Fact]
    public void Parser_reads_a_handwritten_request_in_either_style()
    {
        const string CamelCase = """
            {"groups": ["sw_metric"], "name": "service_cpm_minute", "fieldProjection": {"names": ["total"]},
             "rewriteAggTopNResult": true, "groupModRevisions": {"sw_metric": "7"},
             "top": {"number": 3, "fieldName": "total", "fieldValueSort": "SORT_DESC"}}
            """;
        const string SnakeCase = """
            {"groups": ["sw_metric"], "name": "service_cpm_minute", "field_projection": {"names": ["total"]},
             "rewrite_agg_top_n_result": true, "group_mod_revisions": {"sw_metric": 7},
             "top": {"number": 3, "field_name": "total", "field_value_sort": 1}}
            """;

        MeasureV1.QueryRequest camel = s_strictParser.Parse<MeasureV1.QueryRequest>(CamelCase);
        MeasureV1.QueryRequest snake = s_strictParser.Parse<MeasureV1.QueryRequest>(SnakeCase);

        Assert.Equal(camel, snake);
        Assert.True(camel.RewriteAggTopNResult);
        Assert.Equal(7, camel.GroupModRevisions["sw_metric"]);
        Assert.Equal(Sort.Desc, camel.Top.FieldValueSort);
        Assert.Equal("total", camel.FieldProjection.Names.Single());
    }

    [Fact]
    public void Parser_rejects_a_name_upstream_does_not_have()
    {
        // The old, wrong name of PropertyRegistryServiceListResponse.properties must not be accepted silently.
        InvalidProtocolBufferException error = Assert.Throws<InvalidProtocolBufferException>(() =>
            s_strictParser.Parse<DatabaseV1.PropertyRegistryServiceListResponse>("""{"property": []}"""));

        Assert.Contains("property", error.Message, StringComparison.Ordinal);
    }

    private static SortedSet<string> UpstreamNames(string message, Func<FieldShape, string> name) =>
        new(UpstreamApiSnapshot.CheckedIn.Api.Messages.Single(m => m.Name == message).Fields.Select(name), StringComparer.Ordinal);

    private static SortedSet<string> PropertyNames(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return new SortedSet<string>(document.RootElement.EnumerateObject().Select(p => p.Name), StringComparer.Ordinal);
    }
}
