using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Tests.Shared.Schema;

/// <summary>
/// One invalid schema request: the schemas to create first (<see cref="Setup"/>), then the <c>Create</c> (or, with
/// <see cref="Update"/>, the <c>Update</c>) of <see cref="Schema"/>, which must be refused as INVALID_ARGUMENT naming
/// <see cref="Field"/>, with <see cref="Reason"/> in the message. The same cases run against the plain registry
/// (Banyan.Grains.Tests) and through gRPC (Banyan.Silo.Tests).
/// </summary>
public sealed record SchemaValidationCase(
    string Name,
    string Field,
    string Reason,
    Func<SchemaSamples, IReadOnlyList<IMessage>> Setup,
    Func<SchemaSamples, IMessage> Schema,
    bool Update = false)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Every validation rule of the schema catalog, one case each (sources of the rules: <c>docs/grains.md</c>).</summary>
public static class SchemaValidationCases
{
    private static readonly Func<SchemaSamples, IReadOnlyList<IMessage>> s_nothing = _ => [];
    private static readonly Func<SchemaSamples, IReadOnlyList<IMessage>> s_groups = s => [s.StreamGroup(), s.MeasureGroup()];
    private static readonly Func<SchemaSamples, IReadOnlyList<IMessage>> s_subjects = s => [s.StreamGroup(), s.MeasureGroup(), s.Stream(), s.Measure()];
    private static readonly Func<SchemaSamples, IReadOnlyList<IMessage>> s_bound = s => [s.StreamGroup(), s.MeasureGroup(), s.Stream(), s.Measure(), s.IndexRule(), s.Binding()];

    /// <summary>All cases.</summary>
    public static IReadOnlyList<SchemaValidationCase> All { get; } =
    [
        // Groups (api/validate/validate.go Group, GroupForNonProperty; Banyan: folder names, shard limit, catalog kept).
        new("group_without_metadata", "group.metadata", "is required", s_nothing, s => With(s.StreamGroup(), g => g.Metadata = null)),
        new("group_without_name", "group.metadata.name", "is required", s_nothing, s => With(s.StreamGroup(), g => g.Metadata.Name = "")),
        new("group_name_too_long", "group.metadata.name", "at most 200", s_nothing, s => With(s.StreamGroup(), g => g.Metadata.Name = new string('g', 201))),
        new("group_name_with_slash", "group.metadata.name", "contains '/'", s_nothing, s => With(s.StreamGroup(), g => g.Metadata.Name = "a/b")),
        new("group_name_reserved_start", "group.metadata.name", "must not start with '_'", s_nothing, s => With(s.StreamGroup(), g => g.Metadata.Name = "_grains")),
        new("group_catalog_unspecified", "group.catalog", "unspecified", s_nothing, s => With(s.StreamGroup(), g => g.Catalog = Catalog.Unspecified)),
        new("group_catalog_undefined", "group.catalog", "not a defined catalog", s_nothing, s => With(s.StreamGroup(), g => g.Catalog = (Catalog)42)),
        new("group_without_resource_opts", "group.resource_opts", "is required", s_nothing, s => With(s.StreamGroup(), g => g.ResourceOpts = null)),
        new("group_shard_num_zero", "group.resource_opts.shard_num", "greater than 0", s_nothing, s => With(s.StreamGroup(), g => g.ResourceOpts.ShardNum = 0)),
        new("group_shard_num_too_large", "group.resource_opts.shard_num", "at most 1024", s_nothing, s => With(s.StreamGroup(), g => g.ResourceOpts.ShardNum = 1025)),
        new("group_without_segment_interval", "group.resource_opts.segment_interval", "is required", s_nothing, s => With(s.StreamGroup(), g => g.ResourceOpts.SegmentInterval = null)),
        new("group_segment_interval_num_zero", "group.resource_opts.segment_interval.num", "greater than 0", s_nothing, s => With(s.StreamGroup(), g => g.ResourceOpts.SegmentInterval.Num = 0)),
        new("group_segment_interval_unit_unspecified", "group.resource_opts.segment_interval.unit", "unspecified", s_nothing, s => With(s.StreamGroup(), g => g.ResourceOpts.SegmentInterval.Unit = IntervalRule.Types.Unit.Unspecified)),
        new("group_without_ttl", "group.resource_opts.ttl", "is required", s_nothing, s => With(s.MeasureGroup(), g => g.ResourceOpts.Ttl = null)),
        new("group_ttl_num_zero", "group.resource_opts.ttl.num", "greater than 0", s_nothing, s => With(s.MeasureGroup(), g => g.ResourceOpts.Ttl.Num = 0)),
        new("group_ttl_unit_undefined", "group.resource_opts.ttl.unit", "not a defined unit", s_nothing, s => With(s.MeasureGroup(), g => g.ResourceOpts.Ttl.Unit = (IntervalRule.Types.Unit)7)),
        new("property_group_with_ttl", "group.resource_opts.ttl", "must be absent", s_nothing, s => With(s.MeasureGroup(), g =>
        {
            g.Catalog = Catalog.Property;
            g.ResourceOpts.SegmentInterval = null;
        })),
        new("group_stage_without_node_selector", "group.resource_opts.stages[0].node_selector", "is required", s_nothing, s => With(s.MeasureGroup(), g => g.ResourceOpts.Stages.Add(new LifecycleStage
        {
            Name = "warm",
            ShardNum = 1,
            SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 1 },
            Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 7 },
        }))),
        new("group_update_changes_catalog", "group.catalog", "cannot change from CATALOG_STREAM to CATALOG_MEASURE", s_groups, s => With(s.StreamGroup(), g => g.Catalog = Catalog.Measure), Update: true),

        // Streams (validate.Stream, tagFamily; Banyan: group catalog, unique names, entity tags exist and are scalar).
        new("stream_without_metadata", "stream.metadata", "is required", s_groups, s => With(s.Stream(), x => x.Metadata = null)),
        new("stream_without_name", "stream.metadata.name", "is required", s_groups, s => With(s.Stream(), x => x.Metadata.Name = "")),
        new("stream_name_too_long", "stream.metadata.name", "at most 255", s_groups, s => With(s.Stream(), x => x.Metadata.Name = new string('s', 256))),
        new("stream_without_group", "stream.metadata.group", "is required", s_groups, s => With(s.Stream(), x => x.Metadata.Group = "")),
        new("stream_in_unknown_group", "stream.metadata.group", "does not exist", s_groups, s => With(s.Stream(), x => x.Metadata.Group = s.StreamGroupName + "-missing")),
        new("stream_in_measure_group", "stream.metadata.group", "is a CATALOG_MEASURE group; a stream belongs to a CATALOG_STREAM group", s_groups, s => With(s.Stream(), x => x.Metadata.Group = s.MeasureGroupName)),
        new("stream_without_tag_families", "stream.tag_families", "at least one tag family", s_groups, s => With(s.Stream(), x => x.TagFamilies.Clear())),
        new("stream_family_without_name", "stream.tag_families[1].name", "is required", s_groups, s => With(s.Stream(), x => x.TagFamilies[1].Name = "")),
        new("stream_family_declared_twice", "stream.tag_families[1].name", "declared twice", s_groups, s => With(s.Stream(), x => x.TagFamilies[1].Name = "searchable")),
        new("stream_family_without_tags", "stream.tag_families[1].tags", "at least one tag", s_groups, s => With(s.Stream(), x => x.TagFamilies[1].Tags.Clear())),
        new("stream_tag_without_name", "stream.tag_families[0].tags[2].name", "is required", s_groups, s => With(s.Stream(), x => x.TagFamilies[0].Tags[2].Name = "")),
        new("stream_tag_with_hash", "stream.tag_families[0].tags[2].name", "reserved character '#'", s_groups, s => With(s.Stream(), x => x.TagFamilies[0].Tags[2].Name = "a#b")),
        new("stream_tag_declared_twice_in_family", "stream.tag_families[0].tags[1].name", "already declared in tag family 'searchable'", s_groups, s => With(s.Stream(), x => x.TagFamilies[0].Tags[1].Name = "trace_id")),
        new("stream_tag_declared_in_two_families", "stream.tag_families[1].tags[0].name", "tag names are unique across families", s_groups, s => With(s.Stream(), x => x.TagFamilies[1].Tags[0].Name = "duration")),
        new("stream_tag_type_unspecified", "stream.tag_families[0].tags[2].type", "unspecified", s_groups, s => With(s.Stream(), x => x.TagFamilies[0].Tags[2].Type = TagType.Unspecified)),
        new("stream_tag_type_undefined", "stream.tag_families[0].tags[2].type", "not a defined tag type", s_groups, s => With(s.Stream(), x => x.TagFamilies[0].Tags[2].Type = (TagType)99)),
        new("stream_without_entity", "stream.entity", "is required", s_groups, s => With(s.Stream(), x => x.Entity = null)),
        new("stream_entity_without_tags", "stream.entity.tag_names", "at least one tag", s_groups, s => With(s.Stream(), x => x.Entity.TagNames.Clear())),
        new("stream_entity_tag_not_declared", "stream.entity.tag_names[1]", "entity tag 'host' is not declared in tag_families", s_groups, s => With(s.Stream(), x => x.Entity.TagNames.Add("host"))),
        new("stream_entity_tag_is_array", "stream.entity.tag_names[0]", "is a TAG_TYPE_STRING_ARRAY", s_groups, s => With(s.Stream(), x => x.Entity.TagNames[0] = "tags")),
        new("stream_entity_tag_named_twice", "stream.entity.tag_names[1]", "named twice", s_groups, s => With(s.Stream(), x => x.Entity.TagNames.Add("service_id"))),
        new("stream_update_changes_entity", "stream.entity", "cannot change", s_subjects, s => With(s.Stream(), x => x.Entity.TagNames[0] = "trace_id"), Update: true),
        new("stream_update_changes_tag_type", "stream.tag_families[0].tags[2].type", "the type of an existing tag cannot change", s_subjects, s => With(s.Stream(), x => x.TagFamilies[0].Tags[2].Type = TagType.String), Update: true),
        new("stream_update_removes_indexed_tag", "stream.tag_families", "tag 'trace_id' is indexed by index rule 'trace_id'", s_bound, s => With(s.Stream(), x => x.TagFamilies[0].Tags.RemoveAt(0)), Update: true),

        // Measures (validate.Measure, CreateMeasure's interval check, validateMeasureUpdate; Banyan: see MeasureValidator).
        new("measure_in_stream_group", "measure.metadata.group", "is a CATALOG_STREAM group", s_groups, s => With(s.Measure(), x => x.Metadata.Group = s.StreamGroupName)),
        new("measure_without_entity", "measure.entity", "is required", s_groups, s => With(s.Measure(), x => x.Entity = null)),
        new("measure_entity_tag_not_declared", "measure.entity.tag_names[0]", "is not declared in tag_families", s_groups, s => With(s.Measure(), x => x.Entity.TagNames[0] = "nope")),
        new("measure_field_without_name", "measure.fields[1].name", "is required", s_groups, s => With(s.Measure(), x => x.Fields[1].Name = "")),
        new("measure_field_declared_twice", "measure.fields[1].name", "declared twice", s_groups, s => With(s.Measure(), x => x.Fields[1].Name = "total")),
        new("measure_field_type_unspecified", "measure.fields[0].field_type", "unspecified", s_groups, s => With(s.Measure(), x => x.Fields[0].FieldType = FieldType.Unspecified)),
        new("measure_field_compression_unspecified", "measure.fields[0].compression_method", "unspecified", s_groups, s => With(s.Measure(), x => x.Fields[0].CompressionMethod = CompressionMethod.Unspecified)),
        new("measure_field_encoding_undefined", "measure.fields[0].encoding_method", "not a defined encoding", s_groups, s => With(s.Measure(), x => x.Fields[0].EncodingMethod = (EncodingMethod)9)),
        new("measure_index_mode_with_fields", "measure.fields", "index_mode", s_groups, s => With(s.Measure(), x => x.IndexMode = true)),
        new("measure_interval_malformed", "measure.interval", "unknown unit 'x'", s_groups, s => With(s.Measure(), x => x.Interval = "1x")),
        new("measure_interval_not_positive", "measure.interval", "not a positive duration", s_groups, s => With(s.Measure(), x => x.Interval = "0")),
        new("measure_sharding_key_tag_not_declared", "measure.sharding_key.tag_names[0]", "sharding key tag 'zone' is not declared", s_groups, s => With(s.Measure(), x => x.ShardingKey = new ShardingKey { TagNames = { "zone" } })),
        new("measure_sharding_key_without_tags", "measure.sharding_key.tag_names", "at least one tag", s_groups, s => With(s.Measure(), x => x.ShardingKey = new ShardingKey())),
        new("measure_update_changes_interval", "measure.interval", "cannot change", s_subjects, s => With(s.Measure(), x => x.Interval = "1h"), Update: true),
        new("measure_update_changes_index_mode", "measure.index_mode", "cannot change", s_subjects, s => With(s.Measure(), x =>
        {
            x.IndexMode = true;
            x.Fields.Clear();
        }), Update: true),
        new("measure_update_changes_field", "measure.fields[0]", "field 'total' cannot change", s_subjects, s => With(s.Measure(), x => x.Fields[0].FieldType = FieldType.Float), Update: true),
        new("measure_update_changes_entity", "measure.entity", "cannot change", s_subjects, s => With(s.Measure(), x => x.Entity.TagNames.Add("service")), Update: true),

        // Index rules (validate.IndexRule; Banyan: group, unique tags, analyzer, bound subjects declare the tags).
        new("index_rule_in_unknown_group", "index_rule.metadata.group", "does not exist", s_groups, s => With(s.IndexRule(), x => x.Metadata.Group = "nowhere-" + s.Suffix)),
        new("index_rule_without_tags", "index_rule.tags", "at least one tag", s_groups, s => With(s.IndexRule(), x => x.Tags.Clear())),
        new("index_rule_tag_named_twice", "index_rule.tags[1]", "named twice", s_groups, s => With(s.IndexRule(), x => x.Tags.Add("trace_id"))),
        new("index_rule_type_unspecified", "index_rule.type", "unspecified", s_groups, s => With(s.IndexRule(), x => x.Type = Banyan.Api.Database.V1.IndexRule.Types.Type.Unspecified)),
        new("index_rule_unknown_analyzer", "index_rule.analyzer", "'whitespace' is not an analyzer", s_groups, s => With(s.IndexRule(), x => x.Analyzer = "whitespace")),
        new("index_rule_tag_not_in_bound_subject", "index_rule.tags[0]", "to which index rule binding 'sw-binding' binds this rule", s => [s.StreamGroup(), s.Stream(), With(s.Binding(), b => b.Rules[0] = "later")], s => With(s.IndexRule(), x =>
        {
            x.Metadata.Name = "later";
            x.Tags[0] = "host";
        })),

        // Index rule bindings (validate.IndexRuleBinding and the proto's begin/expire rule; Banyan: subject exists, catalog, rule tags).
        new("binding_without_rules", "index_rule_binding.rules", "at least one index rule", s_subjects, s => With(s.Binding(), x => x.Rules.Clear())),
        new("binding_rule_named_twice", "index_rule_binding.rules[1]", "named twice", s_subjects, s => With(s.Binding(), x => x.Rules.Add("trace_id"))),
        new("binding_without_subject", "index_rule_binding.subject", "is required", s_subjects, s => With(s.Binding(), x => x.Subject = null)),
        new("binding_subject_catalog_unspecified", "index_rule_binding.subject.catalog", "unspecified", s_subjects, s => With(s.Binding(), x => x.Subject.Catalog = Catalog.Unspecified)),
        new("binding_subject_catalog_not_the_groups", "index_rule_binding.subject.catalog", "is CATALOG_MEASURE, but group", s_subjects, s => With(s.Binding(), x => x.Subject.Catalog = Catalog.Measure)),
        new("binding_subject_missing", "index_rule_binding.subject.name", "stream '{stream-group}/nope' does not exist", s_subjects, s => With(s.Binding(), x => x.Subject.Name = "nope")),
        new("binding_without_begin_at", "index_rule_binding.begin_at", "is required", s_subjects, s => With(s.Binding(), x => x.BeginAt = null)),
        new("binding_without_expire_at", "index_rule_binding.expire_at", "is required", s_subjects, s => With(s.Binding(), x => x.ExpireAt = null)),
        new("binding_expires_before_it_begins", "index_rule_binding.expire_at", "is not after begin_at", s_subjects, s => With(s.Binding(), x => x.ExpireAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)))),
        new("binding_rule_indexes_undeclared_tag", "index_rule_binding.rules[0]", "indexes tag 'host', which stream", s => [s.StreamGroup(), s.Stream(), With(s.IndexRule(), r => r.Tags[0] = "host")], s => s.Binding()),

        // TopN aggregations (validate.TopNAggregation; Banyan: group, source measure, field and tags exist).
        new("topn_in_stream_group", "top_n_aggregation.metadata.group", "is a CATALOG_STREAM group", s_subjects, s => With(s.TopN(), x => x.Metadata.Group = s.StreamGroupName)),
        new("topn_without_source_measure", "top_n_aggregation.source_measure", "is required", s_subjects, s => With(s.TopN(), x => x.SourceMeasure = null)),
        new("topn_source_measure_missing", "top_n_aggregation.source_measure", "measure '{measure-group}/gone' does not exist", s_subjects, s => With(s.TopN(), x => x.SourceMeasure.Name = "gone")),
        new("topn_without_field_name", "top_n_aggregation.field_name", "is required", s_subjects, s => With(s.TopN(), x => x.FieldName = "")),
        new("topn_field_missing", "top_n_aggregation.field_name", "has no field 'latency'", s_subjects, s => With(s.TopN(), x => x.FieldName = "latency")),
        new("topn_group_by_tag_missing", "top_n_aggregation.group_by_tag_names[1]", "has no tag 'zone'", s_subjects, s => With(s.TopN(), x => x.GroupByTagNames.Add("zone"))),
        new("topn_counters_number_zero", "top_n_aggregation.counters_number", "greater than 0", s_subjects, s => With(s.TopN(), x => x.CountersNumber = 0)),
        new("topn_lru_size_negative", "top_n_aggregation.lru_size", "must not be negative", s_subjects, s => With(s.TopN(), x => x.LruSize = -1)),
    ];

    /// <summary>The case names, for xunit's <c>MemberData</c>.</summary>
    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static SchemaValidationCase Get(string name) => All.Single(c => c.Name == name);

    /// <summary>The expected reason with the samples' group names filled in (<c>{stream-group}</c>, <c>{measure-group}</c>).</summary>
    public static string ReasonFor(SchemaValidationCase validationCase, SchemaSamples samples) =>
        validationCase.Reason.Replace("{stream-group}", samples.StreamGroupName, StringComparison.Ordinal)
            .Replace("{measure-group}", samples.MeasureGroupName, StringComparison.Ordinal);

    private static T With<T>(T message, Action<T> change)
    {
        change(message);
        return message;
    }
}
