namespace Banyan.GrainInterfaces.Writes;

/// <summary>
/// The data points of a measure write batch as the client encoded them: each element's <c>DataPointValue</c> message
/// bytes, so the measure grain decodes them straight into columns instead of through protobuf objects. The silo's
/// write stream builds it from messages it has checked decode (<c>MeasureWireScanner</c>); an element without a
/// <c>data_point</c> has no bytes. The elements are held in runs (<see cref="Runs"/>), one per write stream batch:
/// batches of several streams joined into one grain call (<c>SubjectWriteCoalescer</c>) keep their own arrays, side by
/// side, instead of being copied into one.
/// </summary>
/// <remarks>
/// Each element's bytes are a slice of whatever holds them (the stream's read chunks): the batch is handed to the
/// measure grain, a local stateless worker, without copying them again (the type is immutable, so Orleans does not
/// copy it either); serialized, each slice is written as its own bytes. The slices are only lent for the call: once
/// the grain's <c>Write</c> has completed successfully, the silo's write stream reuses their memory for later data
/// points (<c>ScanChunk</c>), so a grain must copy whatever it keeps of them before it returns.
/// </remarks>
/// <param name="Runs">The elements, run after run, in element order.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.WireDataPoints.v2")]
public sealed record WireDataPoints([property: Id(0)] WireDataPointRun[] Runs)
{
    /// <summary>One run of elements: <paramref name="dataPoints"/> with their <paramref name="messageIds"/>.</summary>
    /// <exception cref="ArgumentException">The two arrays differ in length.</exception>
    public WireDataPoints(ReadOnlyMemory<byte>[] dataPoints, ulong[] messageIds)
        : this([Run(dataPoints, messageIds)])
    {
    }

    /// <summary>How many elements, over all runs.</summary>
    public int Count
    {
        get
        {
            int count = 0;
            foreach (WireDataPointRun run in Runs)
            {
                count += run.Count;
            }

            return count;
        }
    }

    /// <summary>The elements of <paramref name="parts"/> one after the other: their runs, not copies of them.</summary>
    public static WireDataPoints Join(IReadOnlyList<WireDataPoints> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var runs = new List<WireDataPointRun>(parts.Count);
        foreach (WireDataPoints part in parts)
        {
            runs.AddRange(part.Runs);
        }

        return new WireDataPoints([.. runs]);
    }

    /// <summary>The <c>DataPointValue</c> bytes of element <paramref name="element"/> (a walk over the runs: planners read them run by run).</summary>
    public ReadOnlySpan<byte> DataPoint(int element)
    {
        (WireDataPointRun run, int at) = Locate(element);
        return run.DataPoints[at].Span;
    }

    /// <summary>The message id of element <paramref name="element"/>.</summary>
    public ulong MessageId(int element)
    {
        (WireDataPointRun run, int at) = Locate(element);
        return run.MessageIds[at];
    }

    private (WireDataPointRun Run, int At) Locate(int element)
    {
        int at = element;
        foreach (WireDataPointRun run in Runs)
        {
            if ((uint)at < (uint)run.Count)
            {
                return (run, at);
            }

            at -= run.Count;
        }

        throw new ArgumentOutOfRangeException(nameof(element), element, $"the batch has {Count} elements");
    }

    private static WireDataPointRun Run(ReadOnlyMemory<byte>[] dataPoints, ulong[] messageIds)
    {
        ArgumentNullException.ThrowIfNull(dataPoints);
        ArgumentNullException.ThrowIfNull(messageIds);
        if (dataPoints.Length != messageIds.Length)
        {
            throw new ArgumentException($"{dataPoints.Length} data points but {messageIds.Length} message ids: one each", nameof(messageIds));
        }

        return new WireDataPointRun(dataPoints, messageIds);
    }
}
