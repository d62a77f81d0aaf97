namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// The data points of a measure write batch as the client encoded them: each element's <c>DataPointValue</c> message
/// bytes, so the measure grain decodes them straight into columns instead of through protobuf objects. The silo's
/// write stream builds it from messages it has checked decode (<c>MeasureWireScanner</c>); an element without a
/// <c>data_point</c> has no bytes.
/// </summary>
/// <remarks>
/// Each element's bytes are a slice of whatever holds them (the stream's read chunks): the batch is handed to the
/// measure grain, a local stateless worker, without copying them again (the type is immutable, so Orleans does not
/// copy it either); serialized, each slice is written as its own bytes. The slices are only lent for the call: once
/// the grain's <c>Write</c> has completed successfully, the silo's write stream reuses their memory for later data
/// points (<c>ScanChunk</c>), so a grain must copy whatever it keeps of them before it returns.
/// </remarks>
/// <param name="DataPoints">The elements' <c>DataPointValue</c> bytes, in element order.</param>
/// <param name="MessageIds">Each element's <c>message_id</c> (as assigned when the client sent none; a version of last resort).</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.WireDataPoints")]
public sealed record WireDataPoints(
    [property: Id(0)] ReadOnlyMemory<byte>[] DataPoints,
    [property: Id(1)] ulong[] MessageIds)
{
    /// <summary>How many elements.</summary>
    public int Count => DataPoints.Length;

    /// <summary>The <c>DataPointValue</c> bytes of element <paramref name="element"/>.</summary>
    public ReadOnlySpan<byte> DataPoint(int element) => DataPoints[element].Span;
}
