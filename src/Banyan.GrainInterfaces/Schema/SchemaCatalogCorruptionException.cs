namespace Banyan.GrainInterfaces.Schema;

/// <summary>
/// The persisted schema catalog does not decode (damaged or foreign bytes in the metadata grain's state):
/// <see cref="Offset"/> is the byte offset in the encoded catalog where decoding failed. The metadata
/// grain's activation fails with it, registry calls answer it (gRPC <c>INTERNAL</c>), and the silo goes on
/// serving everything else. Format: <c>docs/format/schema-catalog.md</c>.
/// </summary>
[GenerateSerializer]
[Alias("banyan.SchemaCatalogCorruptionException")]
public sealed class SchemaCatalogCorruptionException : Exception
{
    /// <summary>Creates the exception for a failure at <paramref name="offset"/>.</summary>
    public SchemaCatalogCorruptionException(long offset, string reason, Exception? innerException = null)
        : base($"The persisted schema catalog is corrupt at byte {offset} of its encoding: {reason}.", innerException)
    {
        Offset = offset;
    }

    /// <summary>Creates the exception with a message only (serialization and tooling).</summary>
    public SchemaCatalogCorruptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SchemaCatalogCorruptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception (serialization).</summary>
    public SchemaCatalogCorruptionException()
    {
    }

    /// <summary>Byte offset in the encoded catalog where decoding failed.</summary>
    [Id(0)]
    public long Offset { get; private set; }
}
