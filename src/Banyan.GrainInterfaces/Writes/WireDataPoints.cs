namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// The data points of a measure write batch as the client encoded them: each element's <c>DataPointValue</c> message
/// bytes, back to back, so the measure grain decodes them straight into columns instead of through protobuf objects.
/// The silo's write stream builds it from messages it has checked decode (<c>WriteRequestScan</c>); an element without
/// a <c>data_point</c> has no bytes.
/// </summary>
/// <param name="Bytes">The elements' <c>DataPointValue</c> bytes, in element order.</param>
/// <param name="Ends">The offset in <paramref name="Bytes"/> where each element's bytes end (the next one's start).</param>
/// <param name="MessageIds">Each element's <c>message_id</c> (as assigned when the client sent none; a version of last resort).</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.WireDataPoints")]
public sealed record WireDataPoints(
    [property: Id(0)] byte[] Bytes,
    [property: Id(1)] int[] Ends,
    [property: Id(2)] ulong[] MessageIds)
{
    /// <summary>How many elements.</summary>
    public int Count => Ends.Length;

    /// <summary>The <c>DataPointValue</c> bytes of element <paramref name="element"/>.</summary>
    public ReadOnlySpan<byte> DataPoint(int element)
    {
        int start = element == 0 ? 0 : Ends[element - 1];
        return Bytes.AsSpan(start, Ends[element] - start);
    }
}
