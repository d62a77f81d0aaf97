using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// The schemas the query tests read: stream <c>q_log</c> and measure <c>q_cpm</c>, both with a two-tag entity
/// (service, instance) so that entity patterns have something to merge, and index rules for MATCH and ordering.
/// </summary>
public static class QuerySchemas
{
    /// <summary>The stream's name.</summary>
    public const string StreamName = "q_log";

    /// <summary>The measure's name.</summary>
    public const string MeasureName = "q_cpm";

    /// <summary>The index rule on the stream's <c>duration</c> (inverted), used by ORDER BY.</summary>
    public const string DurationRule = "q_duration";

    /// <summary>The index rule on the measure's <c>instance</c> (inverted, an entity tag), used by ORDER BY.</summary>
    public const string InstanceRule = "q_instance";

    /// <summary>A group of <paramref name="catalog"/>: daily segments, 7 days of TTL.</summary>
    public static Group Group(string name, Catalog catalog, uint shards = 2) => new()
    {
        Metadata = new Metadata { Name = name },
        Catalog = catalog,
        ResourceOpts = new ResourceOpts
        {
            ShardNum = shards,
            SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 1 },
            Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 7 },
        },
    };

    /// <summary>
    /// Stream <c>q_log</c>: family searchable {service, instance, endpoint, region: string; duration: int; labels: string
    /// array; codes: int array}, family data {body: binary}; entity (service, instance).
    /// </summary>
    public static StreamSchema Stream(string group) => new()
    {
        Metadata = new Metadata { Group = group, Name = StreamName },
        TagFamilies =
        {
            new TagFamilySpec
            {
                Name = "searchable",
                Tags =
                {
                    Tag("service", TagType.String), Tag("instance", TagType.String), Tag("endpoint", TagType.String), Tag("region", TagType.String),
                    Tag("duration", TagType.Int), Tag("labels", TagType.StringArray), Tag("codes", TagType.IntArray),
                },
            },
            new TagFamilySpec { Name = "data", Tags = { Tag("body", TagType.DataBinary) } },
        },
        Entity = new Entity { TagNames = { "service", "instance" } },
    };

    /// <summary>
    /// Measure <c>q_cpm</c>: family default {service, instance, region: string; code: int; labels: string array}, fields
    /// total (int) and value (float); entity (service, instance).
    /// </summary>
    public static Measure Measure(string group) => new()
    {
        Metadata = new Metadata { Group = group, Name = MeasureName },
        TagFamilies =
        {
            new TagFamilySpec
            {
                Name = "default",
                Tags = { Tag("service", TagType.String), Tag("instance", TagType.String), Tag("region", TagType.String), Tag("code", TagType.Int), Tag("labels", TagType.StringArray) },
            },
        },
        Fields =
        {
            new FieldSpec { Name = "total", FieldType = FieldType.Int, EncodingMethod = EncodingMethod.Gorilla, CompressionMethod = CompressionMethod.Zstd },
            new FieldSpec { Name = "value", FieldType = FieldType.Float, EncodingMethod = EncodingMethod.Gorilla, CompressionMethod = CompressionMethod.Zstd },
        },
        Entity = new Entity { TagNames = { "service", "instance" } },
        Interval = "1m",
    };

    /// <summary>
    /// The stream's index rules and their binding: <c>endpoint</c> inverted with the simple analyzer (MATCH),
    /// <c>duration</c> inverted (ORDER BY), <c>region</c> skipping (no MATCH).
    /// </summary>
    public static IMessage[] StreamRules(string group) =>
    [
        Rule(group, "q_endpoint", "endpoint", IndexRule.Types.Type.Inverted, "simple"),
        Rule(group, DurationRule, "duration", IndexRule.Types.Type.Inverted, ""),
        Rule(group, "q_region", "region", IndexRule.Types.Type.Skipping, ""),
        Binding(group, Catalog.Stream, StreamName, "q_endpoint", DurationRule, "q_region"),
    ];

    /// <summary>The measure's index rule (<c>instance</c>, inverted) and its binding.</summary>
    public static IMessage[] MeasureRules(string group) =>
    [
        Rule(group, InstanceRule, "instance", IndexRule.Types.Type.Inverted, ""),
        Binding(group, Catalog.Measure, MeasureName, InstanceRule),
    ];

    /// <summary>Everything a stream group of the query tests needs, in creation order.</summary>
    public static IMessage[] StreamGroup(string group, uint shards = 2) => [Group(group, Catalog.Stream, shards), Stream(group), .. StreamRules(group)];

    /// <summary>Everything a measure group of the query tests needs, in creation order.</summary>
    public static IMessage[] MeasureGroup(string group, uint shards = 2) => [Group(group, Catalog.Measure, shards), Measure(group), .. MeasureRules(group)];

    /// <summary>A string tag value.</summary>
    public static TagValue Str(string value) => new() { Str = new Str { Value = value } };

    /// <summary>An int tag value.</summary>
    public static TagValue Number(long value) => new() { Int = new Int { Value = value } };

    /// <summary>A string array tag value.</summary>
    public static TagValue Strs(params string[] values) => new() { StrArray = new StrArray { Value = { values } } };

    /// <summary>An int array tag value.</summary>
    public static TagValue Ints(params long[] values) => new() { IntArray = new IntArray { Value = { values } } };

    /// <summary>A null tag value.</summary>
    public static TagValue Null() => new() { Null = NullValue.NullValue };

    private static TagSpec Tag(string name, TagType type) => new() { Name = name, Type = type };

    private static IndexRule Rule(string group, string name, string tag, IndexRule.Types.Type type, string analyzer) => new()
    {
        Metadata = new Metadata { Group = group, Name = name },
        Tags = { tag },
        Type = type,
        Analyzer = analyzer,
    };

    private static IndexRuleBinding Binding(string group, Catalog catalog, string subject, params string[] rules) => new()
    {
        Metadata = new Metadata { Group = group, Name = subject + "-binding" },
        Rules = { rules },
        Subject = new Subject { Catalog = catalog, Name = subject },
        BeginAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        ExpireAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2120, 1, 1, 0, 0, 0, TimeSpan.Zero)),
    };
}

/// <summary>Short builders for BanyanDB criteria trees.</summary>
public static class Where
{
    /// <summary>A condition.</summary>
    public static Criteria Is(string tag, Condition.Types.BinaryOp op, TagValue value) => new() { Condition = new Condition { Name = tag, Op = op, Value = value } };

    /// <summary>A MATCH condition with its options.</summary>
    public static Criteria Match(string tag, string text, string analyzer = "", bool all = false) => new()
    {
        Condition = new Condition
        {
            Name = tag,
            Op = Condition.Types.BinaryOp.Match,
            Value = QuerySchemas.Str(text),
            MatchOption = new Condition.Types.MatchOption
            {
                Analyzer = analyzer,
                Operator = all ? Condition.Types.MatchOption.Types.Operator.And : Condition.Types.MatchOption.Types.Operator.Or,
            },
        },
    };

    /// <summary>tag = value.</summary>
    public static Criteria Eq(string tag, TagValue value) => Is(tag, Condition.Types.BinaryOp.Eq, value);

    /// <summary>tag = string.</summary>
    public static Criteria Eq(string tag, string value) => Eq(tag, QuerySchemas.Str(value));

    /// <summary>Both sides.</summary>
    public static Criteria And(Criteria left, Criteria right) => new() { Le = new LogicalExpression { Op = LogicalExpression.Types.LogicalOp.And, Left = left, Right = right } };

    /// <summary>Either side.</summary>
    public static Criteria Or(Criteria left, Criteria right) => new() { Le = new LogicalExpression { Op = LogicalExpression.Types.LogicalOp.Or, Left = left, Right = right } };
}
