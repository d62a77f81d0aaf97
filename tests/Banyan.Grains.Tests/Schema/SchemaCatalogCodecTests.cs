using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Schema;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;

namespace Banyan.Grains.Tests.Schema;

/// <summary>The persisted catalog encoding (docs/format/schema-catalog.md): pinned bytes, round trip, and typed errors for bad bytes.</summary>
public sealed class SchemaCatalogCodecTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_encoding_is_pinned_byte_by_byte()
    {
        Group group = new() { Metadata = new Metadata { Name = "g", CreateRevision = 1, ModRevision = 1 }, Catalog = Catalog.Stream };
        byte[] encoded = SchemaCatalogCodec.Encode(SchemaCatalog.Create(1, [group]));
        // format_version = 1, revision = 1, groups = { metadata { name "g", create_revision 1, mod_revision 1 }, catalog CATALOG_STREAM }
        byte[] expected = [0x08, 0x01, 0x10, 0x01, 0x1A, 0x0B, 0x0A, 0x07, 0x12, 0x01, 0x67, 0x20, 0x01, 0x28, 0x01, 0x10, 0x01];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Every_kind_round_trips_and_the_same_catalog_encodes_to_the_same_bytes()
    {
        SchemaCatalog catalog = FullCatalog();
        byte[] encoded = SchemaCatalogCodec.Encode(catalog);
        SchemaCatalog decoded = SchemaCatalogCodec.Decode(encoded);
        Assert.Equal(catalog.Revision, decoded.Revision);
        Assert.Equal(catalog.Schemas(), decoded.Schemas());
        Assert.Equal(encoded, SchemaCatalogCodec.Encode(decoded));
        Assert.Equal(7, decoded.Count);
    }

    [Fact]
    public void Nothing_stored_is_the_empty_catalog()
    {
        Assert.Same(SchemaCatalog.Empty, SchemaCatalogCodec.Decode(null));
        Assert.Same(SchemaCatalog.Empty, SchemaCatalogCodec.Decode([]));
        Assert.Equal(0, SchemaCatalogCodec.Decode(SchemaCatalogCodec.Encode(SchemaCatalog.Empty)).Revision);
    }

    [Fact]
    public void Unknown_fields_are_skipped_and_a_newer_format_is_refused()
    {
        byte[] encoded = SchemaCatalogCodec.Encode(FullCatalog());
        byte[] withExtra = [.. encoded, 0x78, 0x05]; // field 15, varint 5
        Assert.Equal(7, SchemaCatalogCodec.Decode(withExtra).Count);

        byte[] newer = [.. encoded];
        newer[1] = 0x02;
        SchemaCatalogCorruptionException e = Assert.Throws<SchemaCatalogCorruptionException>(() => SchemaCatalogCodec.Decode(newer));
        Assert.Equal(0, e.Offset);
        Assert.Contains("format version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_bytes_raise_the_typed_error_with_the_offset_of_the_failing_field()
    {
        byte[] encoded = SchemaCatalogCodec.Encode(FullCatalog());
        for (int length = 1; length < encoded.Length; length++)
        {
            byte[] truncated = encoded.AsSpan(0, length).ToArray();
            try
            {
                SchemaCatalog decoded = SchemaCatalogCodec.Decode(truncated);

                // A cut between two whole schemas decodes as a smaller catalog: acceptable only if it is a prefix.
                Assert.True(decoded.Count < 7, $"a {length}-byte prefix decoded as the whole catalog");
            }
            catch (SchemaCatalogCorruptionException e)
            {
                Assert.InRange(e.Offset, 0, length);
            }
        }
    }

    [Fact]
    public void Random_bytes_only_raise_the_typed_error()
    {
        Random random = new(12);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(1, 64)];
            random.NextBytes(bytes);
            try
            {
                SchemaCatalogCodec.Decode(bytes);
            }
            catch (SchemaCatalogCorruptionException)
            {
            }
        }
    }

    [Fact]
    public void A_schema_claiming_a_revision_beyond_the_catalogs_is_corruption()
    {
        Group group = new() { Metadata = new Metadata { Name = "g", ModRevision = 5 }, Catalog = Catalog.Stream };
        byte[] encoded = SchemaCatalogCodec.Encode(SchemaCatalog.Create(5, [group]));
        encoded[3] = 0x04; // revision 5 -> 4
        Assert.Contains("beyond the catalog revision 4", Assert.Throws<SchemaCatalogCorruptionException>(() => SchemaCatalogCodec.Decode(encoded)).Message, StringComparison.Ordinal);
    }

    private static SchemaCatalog FullCatalog()
    {
        SchemaSamples s = new("codec");
        SchemaCatalog catalog = SchemaCatalog.Empty;
        foreach (IMessage schema in new IMessage[] { s.StreamGroup(), s.MeasureGroup(), s.Stream(), s.Measure(), s.IndexRule(), s.Binding(), s.TopN() })
        {
            catalog = SchemaRegistry.Create(catalog, schema, s_now).Next;
        }

        return catalog;
    }
}
