using System.Buffers;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.Grains.Writes.Wire;
using Banyan.Silo.Grpc;
using Google.Protobuf;

namespace Banyan.Silo.Data;

/// <summary>
/// Reads the <c>WriteRequest</c> messages of one measure write stream without building protobuf objects for their data
/// points: it walks the message's fields and the data point's own (for its version, <see cref="DataPointWireVersion"/>)
/// and keeps the point's bytes, which the measure grain decodes (a point that does not decode gets its own status
/// there). Metadata and spec, the same in message after message, are parsed only when their bytes change. A message
/// it cannot vouch for (malformed at its own level or the data point's, a field given twice, anything unusual) is
/// parsed by Google.Protobuf instead, so a bad message gets the same INVALID_ARGUMENT as before and an odd but valid
/// one the same meaning.
/// </summary>
/// <remarks>
/// One per stream; not thread-safe (the stream's reader calls it on one message at a time). Disposed when the stream
/// ends: its last chunk goes back to the pool once the requests sliced from it are released.
/// </remarks>
public sealed class MeasureWireScanner : IDisposable
{
    private const int MetadataField = 1;
    private const int DataPointField = 2;
    private const int MessageIdField = 3;
    private const int SpecField = 4;

    // Data points are copied into pooled chunks shared by many messages; each request keeps a slice, and a chunk goes back
    // to the pool once the scanner has moved on and every slice was released (ScanChunk).
    private ScanChunk? _chunk;
    private int _chunkUsed;
    private int _chunkSlices;

    private readonly Remembered<Metadata> _metadata = new(Metadata.Parser);
    private readonly Remembered<DataPointSpec> _spec = new(DataPointSpec.Parser);

    /// <summary>The request in <paramref name="payload"/>; throws INVALID_ARGUMENT when the message does not decode.</summary>
    public MeasureWireRequest Scan(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return TryScan(payload.FirstSpan) ?? Parsed(payload);
        }

        byte[] joined = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(joined);
            return TryScan(joined.AsSpan(0, (int)payload.Length)) ?? Parsed(payload);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    private static MeasureWireRequest Parsed(ReadOnlySequence<byte> payload)
        => MeasureWireRequest.FromParsed(PipeMessageReader.Parse(WriteRequest.Parser, payload));

    private MeasureWireRequest? TryScan(ReadOnlySpan<byte> message)
    {
        (int Start, int Length) metadata = (-1, 0);
        (int Start, int Length) point = (-1, 0);
        (int Start, int Length) spec = (-1, 0);
        ulong messageId = 0;
        ProtobufWireReader reader = new(message);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return null;
            }

            if (wireType == ProtobufWireReader.Varint && field == MessageIdField)
            {
                if (!reader.TryReadVarint(out messageId))
                {
                    return null;
                }

                continue;
            }

            if (wireType != ProtobufWireReader.LengthDelimited || field is not (MetadataField or DataPointField or SpecField))
            {
                if (!reader.TrySkip(wireType))
                {
                    return null;
                }

                continue;
            }

            if (!reader.TryReadLengthDelimited(out int start, out int length))
            {
                return null;
            }

            // A message field given twice is merged by the parser: left to it.
            ref (int Start, int Length) slot = ref field == MetadataField ? ref metadata : ref field == DataPointField ? ref point : ref spec;
            if (slot.Start >= 0)
            {
                return null;
            }

            slot = (start, length);
        }

        long version = 0;
        if (point.Start >= 0 && !DataPointWireVersion.TryRead(message.Slice(point.Start, point.Length), out version))
        {
            return null;
        }

        Metadata? carriedMetadata = null;
        DataPointSpec? carriedSpec = null;
        if ((metadata.Start >= 0 && !_metadata.TryGet(message.Slice(metadata.Start, metadata.Length), out carriedMetadata))
            || (spec.Start >= 0 && !_spec.TryGet(message.Slice(spec.Start, spec.Length), out carriedSpec)))
        {
            return null;
        }

        ScanChunk? chunk = null;
        return new MeasureWireRequest
        {
            Metadata = carriedMetadata,
            Spec = carriedSpec,
            MessageId = messageId,
            HasDataPoint = point.Start >= 0,
            Version = version,
            DataPoint = point.Start >= 0 ? Keep(message.Slice(point.Start, point.Length), out chunk) : ReadOnlyMemory<byte>.Empty,
            Chunk = chunk,
        };
    }

    /// <summary>Hands the current chunk back: it returns to the pool once its slices are released.</summary>
    public void Dispose()
    {
        _chunk?.Seal(_chunkSlices);
        _chunk = null;
    }

    private ReadOnlyMemory<byte> Keep(ReadOnlySpan<byte> bytes, out ScanChunk? chunk)
    {
        if (bytes.Length > ScanChunk.Size / 4)
        {
            chunk = null;
            return bytes.ToArray(); // a rare large point: its own array, left to the garbage collector
        }

        if (_chunk is null || ScanChunk.Size - _chunkUsed < bytes.Length)
        {
            _chunk?.Seal(_chunkSlices);
            _chunk = ScanChunk.Rent();
            _chunkUsed = 0;
            _chunkSlices = 0;
        }

        bytes.CopyTo(_chunk.Bytes.AsSpan(_chunkUsed));
        ReadOnlyMemory<byte> kept = _chunk.Bytes.AsMemory(_chunkUsed, bytes.Length);
        _chunkUsed += bytes.Length;
        _chunkSlices++;
        chunk = _chunk;
        return kept;
    }

    // The last message of a kind the stream carried, by its bytes: the same bytes give the same (unchanged) object.
    private sealed class Remembered<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        private byte[]? _bytes;
        private T? _value;

        public bool TryGet(ReadOnlySpan<byte> bytes, out T? value)
        {
            if (_bytes is null || !bytes.SequenceEqual(_bytes))
            {
                try
                {
                    _value = parser.ParseFrom(bytes);
                }
                catch (InvalidProtocolBufferException)
                {
                    value = default;
                    return false;
                }

                _bytes = bytes.ToArray();
            }

            value = _value;
            return true;
        }
    }
}
