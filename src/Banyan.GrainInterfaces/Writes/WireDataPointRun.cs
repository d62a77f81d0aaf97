namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// Consecutive elements of a <see cref="WireDataPoints"/> as one write stream's batch brought them: each element's
/// <c>DataPointValue</c> bytes and its message id, side by side (the two arrays have one entry per element).
/// </summary>
/// <param name="DataPoints">The elements' <c>DataPointValue</c> bytes, in element order (slices of the stream's read chunks).</param>
/// <param name="MessageIds">Each element's <c>message_id</c> (as assigned when the client sent none; a version of last resort).</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.WireDataPointRun")]
public sealed record WireDataPointRun(
    [property: Id(0)] ReadOnlyMemory<byte>[] DataPoints,
    [property: Id(1)] ulong[] MessageIds)
{
    /// <summary>How many elements.</summary>
    public int Count => DataPoints.Length;
}
