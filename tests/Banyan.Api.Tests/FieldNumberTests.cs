using Google.Protobuf.Reflection;

namespace Banyan.Api.Tests;

/// <summary>
/// JSON fixtures cannot see field numbers, yet binary compatibility with BanyanDB depends on them. This pins
/// the numbers that were confirmed against numbered upstream sources (see docs/api.md), so an edit that
/// renumbers a field fails here by name.
/// </summary>
public sealed class FieldNumberTests
{
    // "message: field=number ..." — numbers as declared by BanyanDB's v1 API. A trailing '?' marks a number
    // inferred from declaration order because no numbered upstream source was available (docs/api.md lists
    // them); it is pinned all the same so it cannot drift unnoticed.
    private static readonly string[] s_upstreamNumbers =
    [
        "banyandb.common.v1.Metadata: group=1 name=2 id=3 create_revision=4 mod_revision=5",
        "banyandb.common.v1.IntervalRule: unit=1 num=2",
        "banyandb.common.v1.LifecycleStage: name=1 shard_num=2 segment_interval=3 ttl=4 node_selector=5 close=6 replicas=7",
        "banyandb.common.v1.ResourceOpts: shard_num=1 segment_interval=2 ttl=3 stages=4 default_stages=5 replicas=6",
        "banyandb.common.v1.Group: metadata=1 catalog=2 resource_opts=3 updated_at=4 created_at=5",
        "banyandb.common.v1.Trace: trace_id=1 spans=2 error=3",
        "banyandb.common.v1.Span: start_time=1 end_time=2 error=3 tags=4 message=5 children=6 duration=7",
        "banyandb.model.v1.TagValue: null=1 str=2 str_array=3 int=4 int_array=5 binary_data=6 timestamp=7",
        "banyandb.model.v1.FieldValue: null=1 str=2 int=3 binary_data=4 float=5",
        "banyandb.model.v1.TagFamilyForWrite: tags=1",
        "banyandb.model.v1.Tag: key=1 value=2",
        "banyandb.model.v1.TagFamily: name=1 tags=2",
        "banyandb.model.v1.Condition: name=1 op=2 value=3 match_option=4",
        "banyandb.model.v1.Condition.MatchOption: analyzer=1 operator=2",
        "banyandb.model.v1.Criteria: le=1 condition=2",
        "banyandb.model.v1.LogicalExpression: op=1 left=2 right=3",
        "banyandb.model.v1.QueryOrder: index_rule_name=1 sort=2",
        "banyandb.model.v1.TagProjection: tag_families=1",
        "banyandb.model.v1.TagProjection.TagFamily: name=1 tags=2",
        "banyandb.model.v1.TimeRange: begin=1 end=2",
        "banyandb.database.v1.TagFamilySpec: name=1 tags=2",
        "banyandb.database.v1.TagSpec: name=1 type=2",
        "banyandb.database.v1.Stream: metadata=1 tag_families=2 entity=3 updated_at=4 created_at=5",
        "banyandb.database.v1.FieldSpec: name=1 field_type=2 encoding_method=3 compression_method=4",
        "banyandb.database.v1.Measure: metadata=1 tag_families=2 fields=3 entity=4 interval=5 updated_at=6 index_mode=7 sharding_key=8 created_at=9",
        "banyandb.database.v1.TopNAggregation: metadata=1 source_measure=2 field_name=3 field_value_sort=4 group_by_tag_names=5 criteria=6 counters_number=7 lru_size=8 updated_at=9 created_at=10",
        "banyandb.database.v1.IndexRule: metadata=1 tags=2 type=3 updated_at=4 analyzer=5 no_sort=6 created_at=7",
        "banyandb.database.v1.Subject: catalog=1 name=2",
        "banyandb.database.v1.IndexRuleBinding: metadata=1 rules=2 subject=3 begin_at=4 expire_at=5 updated_at=6 created_at=7",
        "banyandb.database.v1.Property: metadata=1 tags=2 updated_at=6 created_at=7",
        "banyandb.database.v1.Trace: metadata=1 tags=2 trace_id_tag_name=3 timestamp_tag_name=4 updated_at=5 span_id_tag_name=6 created_at=7",
        "banyandb.stream.v1.Element: element_id=1 timestamp=2 tag_families=3",
        "banyandb.stream.v1.QueryResponse: elements=1 trace=2",
        "banyandb.stream.v1.QueryRequest: groups=1 name=2 time_range=3 offset=4 limit=5 order_by=6 criteria=7 projection=8 trace=9 stages=10?",
        "banyandb.stream.v1.ElementValue: element_id=1 timestamp=2 tag_families=3",
        "banyandb.stream.v1.TagFamilySpec: name=1? tag_names=2?",
        "banyandb.stream.v1.WriteRequest: metadata=1 element=2 message_id=3 tag_family_spec=4?",
        "banyandb.stream.v1.WriteResponse: message_id=1 status=2? metadata=3?",
        "banyandb.measure.v1.DataPoint: timestamp=1 tag_families=2 fields=3 sid=4 version=5",
        "banyandb.measure.v1.QueryResponse: data_points=1 trace=2 group_statuses=50",
        "banyandb.measure.v1.QueryRequest: groups=1 name=2 time_range=3 criteria=4 tag_projection=5 field_projection=6 group_by=7 agg=8 top=9 offset=10 limit=11 order_by=12 trace=13 stages=14 rewrite_agg_top_n_result=15 group_mod_revisions=50",
        "banyandb.measure.v1.QueryRequest.GroupBy: tag_projection=1 field_name=2",
        "banyandb.measure.v1.QueryRequest.Aggregation: function=1 field_name=2",
        "banyandb.measure.v1.QueryRequest.Top: number=1 field_name=2 field_value_sort=3",
        "banyandb.measure.v1.TopNList: timestamp=1 items=2",
        "banyandb.measure.v1.TopNList.Item: entity=1 value=2 version=3 timestamp=4",
        "banyandb.measure.v1.TopNResponse: lists=1 trace=2",
        "banyandb.measure.v1.TopNRequest: groups=1 name=2 time_range=3 top_n=4 agg=5 conditions=6 field_value_sort=7 trace=8 stages=9",
        "banyandb.measure.v1.DataPointSpec: tag_family_spec=1 field_names=2",
        "banyandb.measure.v1.DataPointValue: timestamp=1 tag_families=2 fields=3 version=4",
        "banyandb.measure.v1.WriteRequest: metadata=1 data_point=2 message_id=3 data_point_spec=4",
        "banyandb.measure.v1.WriteResponse: message_id=1 status=2 metadata=3",
        "banyandb.trace.v1.QueryRequest: groups=1 name=2 time_range=3 offset=4 limit=5 order_by=6 criteria=7 tag_projection=8 trace=9 stages=10",
        "banyandb.trace.v1.Span: tags=1 span=2 span_id=3?",
        "banyandb.trace.v1.Trace: spans=1 trace_id=2?",
        "banyandb.trace.v1.QueryResponse: traces=1 trace_query_result=2",
        "banyandb.trace.v1.TagSpec: tag_names=1?",
        "banyandb.trace.v1.WriteRequest: metadata=1 tags=2 span=3 version=4 tag_spec=5?",
        "banyandb.property.v1.Property: metadata=1 id=2? tags=3? updated_at=4?",
        "banyandb.property.v1.ApplyRequest: property=1 strategy=2",
        "banyandb.property.v1.QueryOrder: tag_name=1? sort=2?",
        "banyandb.property.v1.QueryRequest: groups=1 name=2? ids=3 criteria=4 tag_projection=5 limit=6 trace=7 order_by=8?",
        "banyandb.property.v1.QueryResponse: properties=1 trace=2",
    ];

    public static TheoryData<string, string, int> UpstreamFieldNumbers()
    {
        TheoryData<string, string, int> data = [];
        foreach (string line in s_upstreamNumbers)
        {
            string[] halves = line.Split(": ");
            foreach (string pair in halves[1].Split(' '))
            {
                string[] nameAndNumber = pair.Split('=');
                data.Add(halves[0], nameAndNumber[0], int.Parse(nameAndNumber[1].TrimEnd('?'), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UpstreamFieldNumbers))]
    public void Field_number_matches_BanyanDB(string message, string field, int number)
    {
        MessageDescriptor descriptor = ApiTypes.Find(message);

        FieldDescriptor? actual = descriptor.FindFieldByName(field);

        Assert.NotNull(actual);
        Assert.Equal(number, actual.FieldNumber);
    }

    [Fact]
    public void Pinned_messages_declare_no_unpinned_fields()
    {
        // A field added to a pinned message without a confirmed number must be listed here deliberately.
        foreach (string line in s_upstreamNumbers)
        {
            string[] halves = line.Split(": ");
            HashSet<string> pinned = halves[1].Split(' ').Select(p => p.Split('=')[0]).ToHashSet(StringComparer.Ordinal);
            MessageDescriptor descriptor = ApiTypes.Find(halves[0]);
            foreach (FieldDescriptor field in descriptor.Fields.InDeclarationOrder())
            {
                Assert.True(pinned.Contains(field.Name), $"{halves[0]}.{field.Name} ({field.FieldNumber}) is not pinned.");
            }
        }
    }
}
