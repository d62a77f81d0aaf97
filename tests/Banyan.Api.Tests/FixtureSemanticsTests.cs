using System.Text;
using System.Text.Json;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using PropertyV1 = Banyan.Api.Property.V1;
using StreamV1 = Banyan.Api.Stream.V1;
using TraceV1 = Banyan.Api.Trace.V1;

namespace Banyan.Api.Tests;

/// <summary>
/// Spot checks that parsed fixtures carry the right values in the right fields (names, enums, oneofs,
/// 64-bit integers written as strings, timestamps, bytes), so "it parsed" cannot mean "it parsed into nothing".
/// </summary>
public sealed class FixtureSemanticsTests
{
    private static T ReadSingle<T>(string relativePath)
        where T : IMessage
    {
        FixtureCatalog catalog = FixtureCatalog.Instance;
        IReadOnlyList<IMessage> messages = FixtureReader.Read(catalog, catalog.Get(relativePath));
        return Assert.IsType<T>(Assert.Single(messages));
    }

    private static List<T> ReadAll<T>(string relativePath)
        where T : IMessage
    {
        FixtureCatalog catalog = FixtureCatalog.Instance;
        return FixtureReader.Read(catalog, catalog.Get(relativePath)).Select(m => Assert.IsType<T>(m)).ToList();
    }

    [Fact]
    public void Stream_schema_carries_entity_tag_families_and_tag_types()
    {
        Banyan.Api.Database.V1.Stream stream = ReadSingle<Banyan.Api.Database.V1.Stream>("pkg/test/stream/testdata/streams/sw.json");

        Assert.Equal("default", stream.Metadata.Group);
        Assert.Equal("sw", stream.Metadata.Name);
        Assert.Equal(["service_id", "service_instance_id", "state"], stream.Entity.TagNames);
        Assert.Equal(["data", "searchable"], stream.TagFamilies.Select(f => f.Name));
        Assert.Equal(TagType.DataBinary, stream.TagFamilies[0].Tags[0].Type);
        TagSpec state = stream.TagFamilies[1].Tags.Single(t => t.Name == "state");
        Assert.Equal(TagType.Int, state.Type);
        Assert.Equal(TagType.StringArray, stream.TagFamilies[1].Tags.Single(t => t.Name == "extended_tags").Type);
    }

    [Fact]
    public void Measure_schema_carries_index_mode_and_entity()
    {
        Banyan.Api.Database.V1.Measure measure = ReadSingle<Banyan.Api.Database.V1.Measure>("pkg/test/measure/testdata/measures/service_traffic.json");

        Assert.True(measure.IndexMode);
        Assert.Equal("index_mode", measure.Metadata.Group);
        Assert.Equal(["id"], measure.Entity.TagNames);
        Assert.Equal(TagType.Int, measure.TagFamilies[0].Tags.Single(t => t.Name == "layer").Type);
    }

    [Fact]
    public void Index_rule_carries_id_type_and_timestamp()
    {
        IndexRule rule = ReadSingle<IndexRule>("pkg/test/stream/testdata/index_rules/trace_id.json");

        Assert.Equal(10u, rule.Metadata.Id);
        Assert.Equal(IndexRule.Types.Type.Skipping, rule.Type);
        Assert.Equal(["trace_id"], rule.Tags);
        // "2021-04-15T01:30:15.01Z"
        Assert.Equal(new DateTime(2021, 4, 15, 1, 30, 15, 10, DateTimeKind.Utc), rule.UpdatedAt.ToDateTime());
    }

    [Fact]
    public void Index_rule_binding_carries_subject_catalog_and_window()
    {
        IndexRuleBinding binding = ReadSingle<IndexRuleBinding>("pkg/test/stream/testdata/index_rule_bindings/deduplication_test.json");

        Assert.Equal(Catalog.Stream, binding.Subject.Catalog);
        Assert.Equal("deduplication_test", binding.Subject.Name);
        Assert.Equal(["trace_id", "duration"], binding.Rules);
        Assert.Equal(2121, binding.ExpireAt.ToDateTime().Year);
    }

    [Fact]
    public void Group_with_stages_carries_lifecycle_and_replicas()
    {
        Group group = ReadSingle<Group>("pkg/test/measure/testdata/group_stages/replicated.json");

        Assert.Equal(Catalog.Measure, group.Catalog);
        Assert.Equal(2u, group.ResourceOpts.Replicas);
        Assert.Equal(IntervalRule.Types.Unit.Day, group.ResourceOpts.Ttl.Unit);
        Assert.Equal(7u, group.ResourceOpts.Ttl.Num);
        LifecycleStage warm = Assert.Single(group.ResourceOpts.Stages);
        Assert.Equal("warm", warm.Name);
        Assert.Equal("type=warm", warm.NodeSelector);
        Assert.Equal(3u, warm.SegmentInterval.Num);
    }

    [Fact]
    public void Stream_group_file_is_an_array_of_groups()
    {
        List<Group> groups = ReadAll<Group>("pkg/test/stream/testdata/group.json");

        Assert.Contains(groups, g => g.Metadata.Name == "default");
        Assert.All(groups, g => Assert.Equal(Catalog.Stream, g.Catalog));
    }

    [Fact]
    public void Measure_query_carries_group_by_and_aggregation()
    {
        MeasureV1.QueryRequest request = ReadSingle<MeasureV1.QueryRequest>("test/cases/measure/data/input/group_max.yaml");

        Assert.Equal("service_cpm_minute", request.Name);
        Assert.Equal(["sw_metric"], request.Groups);
        Assert.Equal(["total", "value"], request.FieldProjection.Names);
        TagProjection.Types.TagFamily groupBy = Assert.Single(request.GroupBy.TagProjection.TagFamilies);
        Assert.Equal("default", groupBy.Name);
        Assert.Equal(["id"], groupBy.Tags);
        Assert.Equal("value", request.GroupBy.FieldName);
        Assert.Equal(AggregationFunction.Max, request.Agg.Function);
        Assert.Equal("value", request.Agg.FieldName);
    }

    [Fact]
    public void Measure_query_carries_nested_criteria_with_match_option()
    {
        MeasureV1.QueryRequest request = ReadSingle<MeasureV1.QueryRequest>("test/cases/measure/data/input/entity_match.yaml");

        LogicalExpression le = request.Criteria.Le;
        Assert.Equal(LogicalExpression.Types.LogicalOp.And, le.Op);
        Assert.Equal(Condition.Types.BinaryOp.Eq, le.Left.Condition.Op);
        Assert.Equal("service_1", le.Left.Condition.Value.Str.Value);
        Condition match = le.Right.Condition;
        Assert.Equal(Condition.Types.BinaryOp.Match, match.Op);
        Assert.Equal(Condition.Types.MatchOption.Types.Operator.And, match.MatchOption.Operator);
        Assert.Equal("endpoint-1", match.Value.Str.Value);
    }

    [Fact]
    public void Stream_query_reads_int64_array_written_as_strings()
    {
        StreamV1.QueryRequest request = ReadSingle<StreamV1.QueryRequest>("test/cases/stream/data/input/gen_err_not_in_state.yaml");

        Assert.Equal(Condition.Types.BinaryOp.NotIn, request.Criteria.Condition.Op);
        Assert.Equal(TagValue.ValueOneofCase.IntArray, request.Criteria.Condition.Value.ValueCase);
        Assert.Equal([0L, 1L], request.Criteria.Condition.Value.IntArray.Value);
        Assert.Equal(["searchable", "data"], request.Projection.TagFamilies.Select(f => f.Name));
    }

    [Fact]
    public void TopN_request_reads_numeric_enums()
    {
        MeasureV1.TopNRequest request = ReadSingle<MeasureV1.TopNRequest>("test/cases/topn/data/input/aggr_desc.yaml");

        Assert.Equal(3, request.TopN);
        // The YAML writes "fieldValueSort: 1" and "agg: 2": enum numbers, not names.
        Assert.Equal(Sort.Desc, request.FieldValueSort);
        Assert.Equal(AggregationFunction.Max, request.Agg);
    }

    [Fact]
    public void TopN_response_carries_entities_and_int64_values()
    {
        MeasureV1.TopNResponse response = ReadSingle<MeasureV1.TopNResponse>("test/cases/topn/data/want/aggr_desc.yaml");

        MeasureV1.TopNList.Types.Item first = response.Lists[0].Items[0];
        Assert.Equal(["service_id", "entity_id"], first.Entity.Select(t => t.Key));
        Assert.Equal("svc_2", first.Entity[0].Value.Str.Value);
        Assert.Equal(FieldValue.ValueOneofCase.Int, first.Value.ValueCase);
        Assert.Equal(12L, first.Value.Int.Value);
    }

    [Fact]
    public void Stream_want_carries_element_ids_and_binary_tags()
    {
        StreamV1.QueryResponse response = ReadSingle<StreamV1.QueryResponse>("test/cases/stream/data/want/all.yaml");

        StreamV1.Element first = response.Elements[0];
        Assert.Equal("0978df79cf4ed409", first.ElementId);
        Assert.Equal("1", first.TagFamilies[0].Tags.Single(t => t.Key == "trace_id").Value.Str.Value);
        ByteString binary = first.TagFamilies[1].Tags.Single(t => t.Key == "data_binary").Value.BinaryData;
        Assert.Equal("abc123!?$*&()'-=@~", binary.ToStringUtf8());
    }

    [Fact]
    public void Measure_data_carries_int_and_float_fields()
    {
        List<MeasureV1.DataPointValue> points = ReadAll<MeasureV1.DataPointValue>("test/cases/measure/data/testdata/service_instance_float_metric_data.json");

        MeasureV1.DataPointValue first = points[0];
        Assert.Equal(["1", "entity_1", "svc_1"], first.TagFamilies[0].Tags.Select(t => t.Str.Value));
        Assert.Equal(1L, first.Fields[0].Int.Value);
        Assert.Equal(100.5, first.Fields[1].Float.Value);
    }

    [Fact]
    public void Trace_want_span_payloads_are_read_as_text_bytes()
    {
        TraceV1.QueryResponse response = ReadSingle<TraceV1.QueryResponse>("test/cases/trace/data/want/all.yml");

        TraceV1.Trace first = response.Traces[0];
        Assert.Equal("trace_008", first.TraceId);
        Assert.Equal("span_008_1", first.Spans[0].SpanId);
        Assert.Equal("trace_008_span_1", first.Spans[0].Span_.ToStringUtf8());
    }

    [Fact]
    public void Property_apply_carries_strategy_id_and_int64_string()
    {
        PropertyV1.ApplyRequest apply = ReadSingle<PropertyV1.ApplyRequest>("test/cases/property/data/testdata/sw1.json");

        Assert.Equal(PropertyV1.ApplyRequest.Types.Strategy.Merge, apply.Strategy);
        Assert.Equal("1", apply.Property.Id);
        Assert.Equal("ui_menu", apply.Property.Metadata.Name);
        Assert.Equal(1760606198934L, apply.Property.Tags.Single(t => t.Key == "update_time").Value.Int.Value);
    }

    [Fact]
    public void Seed_write_specs_parse_into_the_spec_messages()
    {
        // seed.json embeds the specs the mixed-order write steps send on their first request.
        using JsonDocument seed = JsonDocument.Parse(File.ReadAllText(Path.Combine(ConformanceRoot.Path, "seed.json")));
        JsonParser parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));
        int streamSpecs = 0, measureSpecs = 0, traceSpecs = 0;
        foreach (JsonElement step in seed.RootElement.GetProperty("steps").EnumerateArray())
        {
            if (!step.TryGetProperty("parts", out JsonElement parts))
            {
                continue;
            }

            foreach (JsonElement part in parts.EnumerateArray())
            {
                if (part.TryGetProperty("tagFamilySpec", out JsonElement tagFamilySpec))
                {
                    foreach (JsonElement family in tagFamilySpec.EnumerateArray())
                    {
                        StreamV1.TagFamilySpec spec = parser.Parse<StreamV1.TagFamilySpec>(family.GetRawText());
                        Assert.NotEmpty(spec.TagNames);
                        streamSpecs++;
                    }
                }

                if (part.TryGetProperty("dataPointSpec", out JsonElement dataPointSpec))
                {
                    MeasureV1.DataPointSpec spec = parser.Parse<MeasureV1.DataPointSpec>(dataPointSpec.GetRawText());
                    Assert.Equal(2, spec.FieldNames.Count);
                    Assert.Equal("default", Assert.Single(spec.TagFamilySpec).Name);
                    measureSpecs++;
                }

                if (part.TryGetProperty("tagSpec", out JsonElement tagSpec))
                {
                    TraceV1.TagSpec spec = parser.Parse<TraceV1.TagSpec>(tagSpec.GetRawText());
                    Assert.Contains("trace_id", spec.TagNames);
                    traceSpecs++;
                }
            }
        }

        Assert.Equal(4, streamSpecs);
        Assert.Equal(2, measureSpecs);
        Assert.Equal(2, traceSpecs);
    }

    [Fact]
    public void Parser_rejects_unknown_fields_and_enum_names()
    {
        FixtureSpec spec = new("inline.json", FixtureFormat.Message, StreamV1.QueryRequest.Descriptor, "stream");

        Assert.Throws<InvalidProtocolBufferException>(() => FixtureReader.Parse("""{"name":"sw","limits":1}""", spec));
        Assert.Throws<InvalidProtocolBufferException>(() => FixtureReader.Parse("""{"orderBy":{"sort":"SORT_SIDEWAYS"}}""", spec));
        // A number where BanyanDB declares a string is an error too (protojson is typed).
        Assert.Throws<InvalidProtocolBufferException>(() => FixtureReader.Parse("""{"name":1}""", spec));
    }

    [Fact]
    public void Explicit_id_entries_need_a_string_element_id()
    {
        FixtureSpec spec = new("inline.json", FixtureFormat.ExplicitIdTagFamilyArray, TagFamilyForWrite.Descriptor, "stream");

        IReadOnlyList<IMessage> ok = FixtureReader.Read("""[{"element_id":"7","tags":[{"str":{"value":"a"}}]}]""", spec);
        Assert.Equal("a", Assert.IsType<TagFamilyForWrite>(Assert.Single(ok)).Tags[0].Str.Value);
        Assert.Throws<FormatException>(() => FixtureReader.Read("""[{"tags":[]}]""", spec));
        Assert.Throws<FormatException>(() => FixtureReader.Read("""[{"element_id":7,"tags":[]}]""", spec));
    }

    [Fact]
    public void Trace_write_entries_encode_span_text_as_bytes()
    {
        FixtureSpec spec = new("inline.json", FixtureFormat.TraceSpanArray, TraceV1.WriteRequest.Descriptor, "trace");

        IReadOnlyList<IMessage> messages = FixtureReader.Read("""[{"span":"not base64 ~","tags":[{"int":{"value":3}}]}]""", spec);

        TraceV1.WriteRequest request = Assert.IsType<TraceV1.WriteRequest>(Assert.Single(messages));
        Assert.Equal(Encoding.UTF8.GetBytes("not base64 ~"), request.Span.ToByteArray());
        Assert.Equal(3L, request.Tags[0].Int.Value);
    }

    [Fact]
    public void Null_tag_values_parse_as_the_null_member()
    {
        FixtureSpec spec = new("inline.yaml", FixtureFormat.Message, TagValue.Descriptor, "stream");

        TagValue value = Assert.IsType<TagValue>(Assert.Single(FixtureReader.Read("null: null\n", spec)));

        Assert.Equal(TagValue.ValueOneofCase.Null, value.ValueCase);
        Assert.Equal(NullValue.NullValue, value.Null);
    }
}
