using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Grains.Schema;

/// <summary>
/// Encodes the whole catalog as one protobuf message (format: <c>docs/format/schema-catalog.md</c>), which the
/// metadata grain persists as bytes. Protobuf is the schemas' own encoding, so the stored catalog is exactly what
/// clients sent (stamped), unknown fields included, and survives renames of C# types; it is independent of the
/// grain storage serializer, which only wraps the bytes.
/// </summary>
/// <remarks>
/// <code>
/// message SchemaCatalogState {
///   uint32 format_version = 1;                                        // 1
///   int64 revision = 2;                                               // the catalog revision
///   repeated banyandb.common.v1.Group groups = 3;
///   repeated banyandb.database.v1.Stream streams = 4;
///   repeated banyandb.database.v1.Measure measures = 5;
///   repeated banyandb.database.v1.IndexRule index_rules = 6;
///   repeated banyandb.database.v1.IndexRuleBinding index_rule_bindings = 7;
///   repeated banyandb.database.v1.TopNAggregation top_n_aggregations = 8;
/// }
/// </code>
/// Fields are written in this order, each kind sorted by group and name, so the same catalog always encodes to the
/// same bytes. Unknown field numbers are skipped when reading (room for later additions); a higher format version is refused.
/// </remarks>
public static class SchemaCatalogCodec
{
    /// <summary>The format version this build writes and reads.</summary>
    public const uint FormatVersion = 1;

    private const int FormatVersionField = 1;
    private const int RevisionField = 2;

    /// <summary>The field number of a kind's repeated field.</summary>
    public static int FieldOf(SchemaKind kind) => (int)kind + 2;

    /// <summary>Encodes <paramref name="catalog"/>.</summary>
    public static byte[] Encode(SchemaCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        using MemoryStream buffer = new();
        using (CodedOutputStream output = new(buffer, leaveOpen: true))
        {
            output.WriteTag(FormatVersionField, WireFormat.WireType.Varint);
            output.WriteUInt32(FormatVersion);
            output.WriteTag(RevisionField, WireFormat.WireType.Varint);
            output.WriteInt64(catalog.Revision);
            foreach (IMessage schema in catalog.Schemas())
            {
                output.WriteTag(FieldOf(SchemaKinds.Of(schema)), WireFormat.WireType.LengthDelimited);
                output.WriteMessage(schema);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes a catalog written by <see cref="Encode"/>; null or empty bytes are the empty catalog (nothing stored yet).</summary>
    /// <exception cref="SchemaCatalogCorruptionException">The bytes do not decode as a catalog; the offset of the failing field is given.</exception>
    public static SchemaCatalog Decode(byte[]? encoded)
    {
        if (encoded is null || encoded.Length == 0)
        {
            return SchemaCatalog.Empty;
        }

        CodedInputStream input = new(encoded);
        uint? version = null;
        long revision = 0;
        List<IMessage> schemas = [];
        long fieldStart = 0;
        try
        {
            while (true)
            {
                fieldStart = input.Position;
                uint tag = input.ReadTag();
                if (tag == 0)
                {
                    break;
                }

                int field = WireFormat.GetTagFieldNumber(tag);
                WireFormat.WireType wireType = WireFormat.GetTagWireType(tag);
                switch (field)
                {
                    case FormatVersionField when wireType == WireFormat.WireType.Varint:
                        version = input.ReadUInt32();
                        if (version > FormatVersion)
                        {
                            throw new SchemaCatalogCorruptionException(fieldStart, $"format version {version} is newer than this build reads ({FormatVersion})");
                        }

                        break;
                    case RevisionField when wireType == WireFormat.WireType.Varint:
                        revision = input.ReadInt64();
                        break;
                    case >= 3 and <= 8 when wireType == WireFormat.WireType.LengthDelimited:
                        IMessage schema = NewSchema((SchemaKind)(field - 2));
                        input.ReadMessage(schema);
                        schemas.Add(schema);
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SchemaCatalogCorruptionException(fieldStart, e.Message, e);
        }

        if (version is null)
        {
            throw new SchemaCatalogCorruptionException(0, "the format version field is missing");
        }

        if (revision < 0)
        {
            throw new SchemaCatalogCorruptionException(0, $"the revision is {revision}");
        }

        foreach (IMessage schema in schemas)
        {
            Metadata? metadata = SchemaKinds.MetadataOf(schema);
            if (metadata is null || metadata.Name.Length == 0 || metadata.ModRevision > revision)
            {
                throw new SchemaCatalogCorruptionException(
                    0,
                    metadata is null || metadata.Name.Length == 0
                        ? $"a {SchemaKinds.DisplayName(SchemaKinds.Of(schema))} has no name"
                        : $"{SchemaKinds.KeyOf(schema)} has mod_revision {metadata.ModRevision}, beyond the catalog revision {revision}");
            }
        }

        try
        {
            return SchemaCatalog.Create(revision, schemas);
        }
        catch (ArgumentException e)
        {
            throw new SchemaCatalogCorruptionException(0, e.Message, e);
        }
    }

    private static IMessage NewSchema(SchemaKind kind) => kind switch
    {
        SchemaKind.Group => new Group(),
        SchemaKind.Stream => new StreamSchema(),
        SchemaKind.Measure => new Measure(),
        SchemaKind.IndexRule => new IndexRule(),
        SchemaKind.IndexRuleBinding => new IndexRuleBinding(),
        SchemaKind.TopNAggregation => new TopNAggregation(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a schema kind."),
    };
}
