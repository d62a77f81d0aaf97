using Banyan.Storage.Rows;

namespace Banyan.GrainInterfaces.Serialization;

/// <summary>
/// How a <see cref="WriteBatch"/> crosses silos: columnar, as the engine's own
/// <see cref="WriteBatchCodec"/> bytes (the format of <c>docs/format/write-batch.md</c>, checksummed),
/// encoded once into one array rather than field by field.
/// </summary>
/// <param name="Encoded">The batch encoded by <see cref="WriteBatchCodec.Encode(WriteBatch)"/>.</param>
[GenerateSerializer]
[Alias("banyan.WriteBatch")]
public readonly record struct WriteBatchSurrogate([property: Id(0)] byte[] Encoded);

/// <summary>Converts <see cref="WriteBatch"/> to and from <see cref="WriteBatchSurrogate"/> for Orleans.</summary>
[RegisterConverter]
public sealed class WriteBatchSurrogateConverter : IConverter<WriteBatch, WriteBatchSurrogate>
{
    /// <summary>The source named in a decoding error.</summary>
    public const string Source = "(write batch received by a grain call)";

    /// <inheritdoc/>
    public WriteBatch ConvertFromSurrogate(in WriteBatchSurrogate surrogate)
        => WriteBatchCodec.Decode(surrogate.Encoded ?? throw new InvalidOperationException("A write batch surrogate without bytes reached the decoder; this is a bug."), Source);

    /// <inheritdoc/>
    public WriteBatchSurrogate ConvertToSurrogate(in WriteBatch value)
        => new(WriteBatchCodec.Encode(value));
}
