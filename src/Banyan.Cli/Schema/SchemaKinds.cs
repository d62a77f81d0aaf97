using Banyan.Api.Database.V1;
using CommonV1 = Banyan.Api.Common.V1;

namespace Banyan.Cli.Schema;

/// <summary>Every schema kind the tool manages, in the order <c>banyan --help</c> lists them.</summary>
public static class SchemaKinds
{
    /// <summary>Groups: a catalog (stream or measure), shards, segment interval and TTL.</summary>
    public static SchemaKind Group { get; } = new(
        "group", "group", CommonV1.Group.Descriptor, "group",
        GroupRegistryServiceCreateRequest.Descriptor, GroupRegistryServiceUpdateRequest.Descriptor,
        GroupRegistryServiceCreateResponse.Descriptor, GroupRegistryServiceUpdateResponse.Descriptor,
        GroupRegistryServiceGetResponse.Descriptor, GroupRegistryServiceListResponse.Descriptor,
        GroupRegistryServiceDeleteResponse.Descriptor);

    /// <summary>Streams: logs and events, tag families and an entity.</summary>
    public static SchemaKind Stream { get; } = new(
        "stream", "stream", Banyan.Api.Database.V1.Stream.Descriptor, "stream",
        StreamRegistryServiceCreateRequest.Descriptor, StreamRegistryServiceUpdateRequest.Descriptor,
        StreamRegistryServiceCreateResponse.Descriptor, StreamRegistryServiceUpdateResponse.Descriptor,
        StreamRegistryServiceGetResponse.Descriptor, StreamRegistryServiceListResponse.Descriptor,
        StreamRegistryServiceDeleteResponse.Descriptor);

    /// <summary>Measures: metrics, tag families, fields, an entity and an interval.</summary>
    public static SchemaKind Measure { get; } = new(
        "measure", "measure", Banyan.Api.Database.V1.Measure.Descriptor, "measure",
        MeasureRegistryServiceCreateRequest.Descriptor, MeasureRegistryServiceUpdateRequest.Descriptor,
        MeasureRegistryServiceCreateResponse.Descriptor, MeasureRegistryServiceUpdateResponse.Descriptor,
        MeasureRegistryServiceGetResponse.Descriptor, MeasureRegistryServiceListResponse.Descriptor,
        MeasureRegistryServiceDeleteResponse.Descriptor);

    /// <summary>Index rules: which tags are indexed, and how.</summary>
    public static SchemaKind IndexRule { get; } = new(
        "index-rule", "index rule", Banyan.Api.Database.V1.IndexRule.Descriptor, "index_rule",
        IndexRuleRegistryServiceCreateRequest.Descriptor, IndexRuleRegistryServiceUpdateRequest.Descriptor,
        IndexRuleRegistryServiceCreateResponse.Descriptor, IndexRuleRegistryServiceUpdateResponse.Descriptor,
        IndexRuleRegistryServiceGetResponse.Descriptor, IndexRuleRegistryServiceListResponse.Descriptor,
        IndexRuleRegistryServiceDeleteResponse.Descriptor);

    /// <summary>Index rule bindings: which rules apply to which stream or measure.</summary>
    public static SchemaKind IndexRuleBinding { get; } = new(
        "index-rule-binding", "index rule binding", Banyan.Api.Database.V1.IndexRuleBinding.Descriptor, "index_rule_binding",
        IndexRuleBindingRegistryServiceCreateRequest.Descriptor, IndexRuleBindingRegistryServiceUpdateRequest.Descriptor,
        IndexRuleBindingRegistryServiceCreateResponse.Descriptor, IndexRuleBindingRegistryServiceUpdateResponse.Descriptor,
        IndexRuleBindingRegistryServiceGetResponse.Descriptor, IndexRuleBindingRegistryServiceListResponse.Descriptor,
        IndexRuleBindingRegistryServiceDeleteResponse.Descriptor);

    /// <summary>TopN aggregations: a measure's streaming top-N pre-aggregation.</summary>
    public static SchemaKind TopNAggregation { get; } = new(
        "topn-agg", "TopN aggregation", Banyan.Api.Database.V1.TopNAggregation.Descriptor, "top_n_aggregation",
        TopNAggregationRegistryServiceCreateRequest.Descriptor, TopNAggregationRegistryServiceUpdateRequest.Descriptor,
        TopNAggregationRegistryServiceCreateResponse.Descriptor, TopNAggregationRegistryServiceUpdateResponse.Descriptor,
        TopNAggregationRegistryServiceGetResponse.Descriptor, TopNAggregationRegistryServiceListResponse.Descriptor,
        TopNAggregationRegistryServiceDeleteResponse.Descriptor);

    /// <summary>All kinds.</summary>
    public static IReadOnlyList<SchemaKind> All { get; } = [Group, Stream, Measure, IndexRule, IndexRuleBinding, TopNAggregation];
}
