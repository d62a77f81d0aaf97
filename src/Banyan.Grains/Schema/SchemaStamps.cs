using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Schema;

/// <summary>The server-set fields of a schema message: <c>updated_at</c> and <c>created_at</c> (the revisions live in its metadata).</summary>
internal static class SchemaStamps
{
    /// <summary>A deep copy of <paramref name="schema"/> (through its encoding, which every message supports).</summary>
    public static IMessage Clone(IMessage schema) => schema.Descriptor.Parser.ParseFrom(schema.ToByteString());

    /// <summary>The schema's <c>created_at</c>.</summary>
    public static Timestamp? CreatedAt(IMessage schema) => schema switch
    {
        Group g => g.CreatedAt,
        StreamSchema s => s.CreatedAt,
        Measure m => m.CreatedAt,
        IndexRule r => r.CreatedAt,
        IndexRuleBinding b => b.CreatedAt,
        TopNAggregation t => t.CreatedAt,
        _ => throw Unknown(schema),
    };

    /// <summary>Sets <c>updated_at</c> and <c>created_at</c>.</summary>
    public static void Set(IMessage schema, Timestamp? updatedAt, Timestamp? createdAt)
    {
        switch (schema)
        {
            case Group g:
                g.UpdatedAt = updatedAt;
                g.CreatedAt = createdAt;
                break;
            case StreamSchema s:
                s.UpdatedAt = updatedAt;
                s.CreatedAt = createdAt;
                break;
            case Measure m:
                m.UpdatedAt = updatedAt;
                m.CreatedAt = createdAt;
                break;
            case IndexRule r:
                r.UpdatedAt = updatedAt;
                r.CreatedAt = createdAt;
                break;
            case IndexRuleBinding b:
                b.UpdatedAt = updatedAt;
                b.CreatedAt = createdAt;
                break;
            case TopNAggregation t:
                t.UpdatedAt = updatedAt;
                t.CreatedAt = createdAt;
                break;
            default:
                throw Unknown(schema);
        }
    }

    /// <summary>Whether two schemas say the same thing, ignoring what the server sets (revisions, <c>updated_at</c>, <c>created_at</c>).</summary>
    public static bool SameContent(IMessage left, IMessage right)
    {
        IMessage a = Clone(left);
        IMessage b = Clone(right);
        foreach (IMessage copy in new[] { a, b })
        {
            Set(copy, null, null);
            if (SchemaKinds.MetadataOf(copy) is { } metadata)
            {
                metadata.CreateRevision = 0;
                metadata.ModRevision = 0;
            }
        }

        return a.Equals(b);
    }

    private static ArgumentException Unknown(IMessage schema) =>
        new($"{schema.Descriptor.FullName} is not a schema the catalog holds; this is a bug in the caller.", nameof(schema));
}
