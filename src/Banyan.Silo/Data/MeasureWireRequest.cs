using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Google.Protobuf;

namespace Banyan.Silo.Data;

/// <summary>
/// One <c>MeasureService/Write</c> message as the write stream keeps it: the metadata, spec and message id it carries,
/// and its <c>data_point</c> still encoded (the measure grain decodes it into columns; <see cref="MeasureWireScanner"/>
/// has checked it decodes). A struct: one is read per data point, and as an object it was 7 % of the bytes the write
/// phase allocated (docs/benchmarks.md, "Data points read without an object each").
/// </summary>
public readonly struct MeasureWireRequest
{
    /// <summary>The metadata the message carries, or null.</summary>
    public Metadata? Metadata { get; init; }

    /// <summary>The data point spec the message carries, or null.</summary>
    public DataPointSpec? Spec { get; init; }

    /// <summary>The client's <c>message_id</c> (0 when unset; the pump assigns one then, <see cref="Banyan.GrainInterfaces.Writes.MeasureMessageIds"/>).</summary>
    public ulong MessageId { get; init; }

    /// <summary>True when the message carries a <c>data_point</c>.</summary>
    public bool HasDataPoint { get; init; }

    /// <summary>The data point's <c>version</c> (0 when unset).</summary>
    public long Version { get; init; }

    /// <summary>The data point's <c>DataPointValue</c> bytes (empty without one).</summary>
    public ReadOnlyMemory<byte> DataPoint { get; init; }

    /// <summary>
    /// The pooled chunk <see cref="DataPoint"/> is a slice of, when the scanner copied it into one; whoever writes the
    /// request releases the slice once the write no longer reads it (<see cref="ScanChunk.Release"/>).
    /// </summary>
    public ScanChunk? Chunk { get; init; }

    /// <summary>The same request from a parsed message (a stream read by Grpc.AspNetCore's reader: compressed, or not over Kestrel).</summary>
    public static MeasureWireRequest FromParsed(WriteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new MeasureWireRequest
        {
            Metadata = request.Metadata,
            Spec = request.DataPointSpec,
            MessageId = request.MessageId,
            HasDataPoint = request.DataPoint is not null,
            Version = request.DataPoint?.Version ?? 0,
            DataPoint = request.DataPoint?.ToByteArray() ?? ReadOnlyMemory<byte>.Empty,
        };
    }
}
