using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Google.Protobuf.WellKnownTypes;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Tests.Shared.Schema;

/// <summary>
/// Valid schemas of every kind, in groups named after <see cref="Suffix"/> so that tests sharing one server do not
/// collide: a stream group with stream <c>sw</c>, index rule <c>trace_id</c> and binding <c>sw-binding</c>; a measure
/// group with measure <c>cpm</c> and TopN aggregation <c>top</c>. Every call returns a new message to modify freely.
/// </summary>
public sealed class SchemaSamples(string suffix)
{
    /// <summary>The suffix of the group names.</summary>
    public string Suffix { get; } = suffix;

    /// <summary>The stream group's name.</summary>
    public string StreamGroupName => "sg-" + Suffix;

    /// <summary>The measure group's name.</summary>
    public string MeasureGroupName => "mg-" + Suffix;

    /// <summary>A stream group: 2 shards, daily segments, 3 days of TTL.</summary>
    public Group StreamGroup() => NewGroup(StreamGroupName, Catalog.Stream);

    /// <summary>A measure group: 2 shards, daily segments, 3 days of TTL.</summary>
    public Group MeasureGroup() => NewGroup(MeasureGroupName, Catalog.Measure);

    /// <summary>Stream <c>sw</c>: families <c>searchable</c> (trace_id, service_id, duration, tags) and <c>data</c> (data_binary); entity service_id.</summary>
    public StreamSchema Stream() => new()
    {
        Metadata = new Metadata { Group = StreamGroupName, Name = "sw" },
        TagFamilies =
        {
            new TagFamilySpec
            {
                Name = "searchable",
                Tags =
                {
                    new TagSpec { Name = "trace_id", Type = TagType.String },
                    new TagSpec { Name = "service_id", Type = TagType.String },
                    new TagSpec { Name = "duration", Type = TagType.Int },
                    new TagSpec { Name = "tags", Type = TagType.StringArray },
                },
            },
            new TagFamilySpec { Name = "data", Tags = { new TagSpec { Name = "data_binary", Type = TagType.DataBinary } } },
        },
        Entity = new Entity { TagNames = { "service_id" } },
    };

    /// <summary>Measure <c>cpm</c>: family <c>default</c> (id, entity_id, service), fields total (int) and value (float); entity entity_id; interval 1m.</summary>
    public Measure Measure() => new()
    {
        Metadata = new Metadata { Group = MeasureGroupName, Name = "cpm" },
        TagFamilies =
        {
            new TagFamilySpec
            {
                Name = "default",
                Tags =
                {
                    new TagSpec { Name = "id", Type = TagType.String },
                    new TagSpec { Name = "entity_id", Type = TagType.String },
                    new TagSpec { Name = "service", Type = TagType.String },
                },
            },
        },
        Fields =
        {
            new FieldSpec { Name = "total", FieldType = FieldType.Int, EncodingMethod = EncodingMethod.Gorilla, CompressionMethod = CompressionMethod.Zstd },
            new FieldSpec { Name = "value", FieldType = FieldType.Float, EncodingMethod = EncodingMethod.Gorilla, CompressionMethod = CompressionMethod.Zstd },
        },
        Entity = new Entity { TagNames = { "entity_id" } },
        Interval = "1m",
    };

    /// <summary>Index rule <c>trace_id</c> of the stream group: inverted on trace_id.</summary>
    public IndexRule IndexRule() => new()
    {
        Metadata = new Metadata { Group = StreamGroupName, Name = "trace_id" },
        Tags = { "trace_id" },
        Type = Banyan.Api.Database.V1.IndexRule.Types.Type.Inverted,
    };

    /// <summary>Binding <c>sw-binding</c>: rule trace_id to stream sw, from 2021 to 2121.</summary>
    public IndexRuleBinding Binding() => new()
    {
        Metadata = new Metadata { Group = StreamGroupName, Name = "sw-binding" },
        Rules = { "trace_id" },
        Subject = new Subject { Catalog = Catalog.Stream, Name = "sw" },
        BeginAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2021, 4, 15, 1, 30, 15, TimeSpan.Zero)),
        ExpireAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2121, 4, 15, 1, 30, 15, TimeSpan.Zero)),
    };

    /// <summary>TopN aggregation <c>top</c> of measure cpm by total, grouped by service.</summary>
    public TopNAggregation TopN() => new()
    {
        Metadata = new Metadata { Group = MeasureGroupName, Name = "top" },
        SourceMeasure = new Metadata { Group = MeasureGroupName, Name = "cpm" },
        FieldName = "total",
        FieldValueSort = Banyan.Api.Model.V1.Sort.Desc,
        GroupByTagNames = { "service" },
        CountersNumber = 1000,
        LruSize = 10,
    };

    private static Group NewGroup(string name, Catalog catalog) => new()
    {
        Metadata = new Metadata { Name = name },
        Catalog = catalog,
        ResourceOpts = new ResourceOpts
        {
            ShardNum = 2,
            SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 1 },
            Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 3 },
        },
    };
}
