namespace Banyan.Grains.Schema;

/// <summary>
/// The persisted state of the metadata grain: the whole catalog as protobuf bytes (<see cref="SchemaCatalogCodec"/>,
/// <c>docs/format/schema-catalog.md</c>). The grain storage serializer (JSON naming this type by default) only wraps
/// the bytes (as base64 in JSON), so the schemas' encoding does not depend on it.
/// </summary>
[GenerateSerializer]
[Alias("banyan.MetadataGrainState")]
public sealed class MetadataGrainState
{
    /// <summary>The encoded catalog; null before the first change.</summary>
    [Id(0)]
    public byte[]? Catalog { get; set; }
}
