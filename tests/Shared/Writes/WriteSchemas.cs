using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamSchema = Banyan.Api.Database.V1.Stream;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Tests.Shared.Writes;

/// <summary>Small schemas and write requests for the write tests: a measure and a stream group, each with 2 shards, daily segments, 7 days of TTL.</summary>
public static class WriteSchemas
{
    /// <summary>A group of <paramref name="catalog"/>.</summary>
    public static Group Group(string name, Catalog catalog, uint shards = 2, uint ttlDays = 7) => new()
    {
        Metadata = new Metadata { Name = name },
        Catalog = catalog,
        ResourceOpts = new ResourceOpts
        {
            ShardNum = shards,
            SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 1 },
            Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = ttlDays },
        },
    };

    /// <summary>A group of <paramref name="catalog"/> with one-hour segments and a TTL of <paramref name="ttlHours"/> hours.</summary>
    public static Group HourlyGroup(string name, Catalog catalog, uint shards, uint ttlHours)
    {
        Group group = Group(name, catalog, shards);
        group.ResourceOpts.SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Hour, Num = 1 };
        group.ResourceOpts.Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Hour, Num = ttlHours };
        return group;
    }

    /// <summary>Measure <c>cpm</c>: family default {id string, entity_id string, code int}; fields total int, value float; entity entity_id.</summary>
    public static Measure Measure(string group) => new()
    {
        Metadata = new Metadata { Group = group, Name = "cpm" },
        TagFamilies =
        {
            new TagFamilySpec
            {
                Name = "default",
                Tags =
                {
                    new TagSpec { Name = "id", Type = TagType.String },
                    new TagSpec { Name = "entity_id", Type = TagType.String },
                    new TagSpec { Name = "code", Type = TagType.Int },
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

    /// <summary>Stream <c>log</c>: family searchable {service string, level int}, family data {body binary}; entity service.</summary>
    public static StreamSchema Stream(string group) => new()
    {
        Metadata = new Metadata { Group = group, Name = "log" },
        TagFamilies =
        {
            new TagFamilySpec { Name = "searchable", Tags = { new TagSpec { Name = "service", Type = TagType.String }, new TagSpec { Name = "level", Type = TagType.Int } } },
            new TagFamilySpec { Name = "data", Tags = { new TagSpec { Name = "body", Type = TagType.DataBinary } } },
        },
        Entity = new Entity { TagNames = { "service" } },
    };

    /// <summary>A measure data point of entity <paramref name="entity"/> at <paramref name="time"/>.</summary>
    public static MeasureV1.WriteRequest Point(Metadata? metadata, ulong messageId, DateTimeOffset time, string entity, long total, double value = 0.5)
        => new()
        {
            Metadata = metadata,
            MessageId = messageId,
            DataPoint = new MeasureV1.DataPointValue
            {
                Timestamp = Timestamp.FromDateTimeOffset(time),
                TagFamilies = { new TagFamilyForWrite { Tags = { Str("id-" + entity), Str(entity), Number(200) } } },
                Fields = { new FieldValue { Int = new Int { Value = total } }, new FieldValue { Float = new Float { Value = value } } },
            },
        };

    /// <summary>A stream element of service <paramref name="service"/> at <paramref name="time"/>.</summary>
    public static StreamV1.WriteRequest Element(Metadata? metadata, ulong messageId, DateTimeOffset time, string service, string elementId, long level = 1)
        => new()
        {
            Metadata = metadata,
            MessageId = messageId,
            Element = new StreamV1.ElementValue
            {
                ElementId = elementId,
                Timestamp = Timestamp.FromDateTimeOffset(time),
                TagFamilies =
                {
                    new TagFamilyForWrite { Tags = { Str(service), Number(level) } },
                    new TagFamilyForWrite { Tags = { new TagValue { BinaryData = ByteString.CopyFromUtf8("body of " + elementId) } } },
                },
            },
        };

    /// <summary>A string tag value.</summary>
    public static TagValue Str(string value) => new() { Str = new Str { Value = value } };

    /// <summary>An int tag value.</summary>
    public static TagValue Number(long value) => new() { Int = new Int { Value = value } };

    /// <summary>A null tag value.</summary>
    public static TagValue Null() => new() { Null = NullValue.NullValue };
}
