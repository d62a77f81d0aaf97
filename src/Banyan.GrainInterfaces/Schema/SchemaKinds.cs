using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Google.Protobuf;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.GrainInterfaces.Schema;

/// <summary>What each <see cref="SchemaKind"/> is in BanyanDB's API: its message type, its metadata, its names in requests and messages.</summary>
public static class SchemaKinds
{
    /// <summary>Every kind, in the order the catalog stores and lists them.</summary>
    public static IReadOnlyList<SchemaKind> All { get; } =
        [SchemaKind.Group, SchemaKind.Stream, SchemaKind.Measure, SchemaKind.IndexRule, SchemaKind.IndexRuleBinding, SchemaKind.TopNAggregation];

    /// <summary>The kind of a schema message.</summary>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not one of the six schema messages (a bug in the caller).</exception>
    public static SchemaKind Of(IMessage schema) => schema switch
    {
        Group => SchemaKind.Group,
        StreamSchema => SchemaKind.Stream,
        Measure => SchemaKind.Measure,
        IndexRule => SchemaKind.IndexRule,
        IndexRuleBinding => SchemaKind.IndexRuleBinding,
        TopNAggregation => SchemaKind.TopNAggregation,
        null => throw new ArgumentNullException(nameof(schema)),
        _ => throw new ArgumentException($"{schema.Descriptor.FullName} is not a schema the catalog holds; this is a bug in the caller.", nameof(schema)),
    };

    /// <summary>The schema's metadata (null when the message carries none).</summary>
    public static Metadata? MetadataOf(IMessage schema) => schema switch
    {
        Group g => g.Metadata,
        StreamSchema s => s.Metadata,
        Measure m => m.Metadata,
        IndexRule r => r.Metadata,
        IndexRuleBinding b => b.Metadata,
        TopNAggregation t => t.Metadata,
        _ => throw new ArgumentException($"{schema?.Descriptor.FullName} is not a schema the catalog holds; this is a bug in the caller.", nameof(schema)),
    };

    /// <summary>The catalog key of a schema whose metadata is present.</summary>
    /// <exception cref="ArgumentException">The schema has no metadata (validate it first).</exception>
    public static SchemaKey KeyOf(IMessage schema)
    {
        SchemaKind kind = Of(schema);
        Metadata metadata = MetadataOf(schema) ?? throw new ArgumentException($"The {DisplayName(kind)} has no metadata; validate it before asking for its key.", nameof(schema));
        return SchemaKey.For(kind, metadata.Group, metadata.Name);
    }

    /// <summary>The field name of the schema in BanyanDB's <c>Create</c>/<c>Update</c> requests (<c>index_rule_binding</c>), the root of validation field paths.</summary>
    public static string RequestField(SchemaKind kind) => kind switch
    {
        SchemaKind.Group => "group",
        SchemaKind.Stream => "stream",
        SchemaKind.Measure => "measure",
        SchemaKind.IndexRule => "index_rule",
        SchemaKind.IndexRuleBinding => "index_rule_binding",
        SchemaKind.TopNAggregation => "top_n_aggregation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a schema kind."),
    };

    /// <summary>How messages name the kind: <c>index rule binding</c>.</summary>
    public static string DisplayName(SchemaKind kind) => kind switch
    {
        SchemaKind.Group => "group",
        SchemaKind.Stream => "stream",
        SchemaKind.Measure => "measure",
        SchemaKind.IndexRule => "index rule",
        SchemaKind.IndexRuleBinding => "index rule binding",
        SchemaKind.TopNAggregation => "TopN aggregation",
        _ => kind.ToString(),
    };
}
