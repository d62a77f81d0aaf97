using System.Buffers;
using Banyan.Storage.Bytes;
using Google.Protobuf;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Encodes the <c>WriteResponse</c> of <c>MeasureService/Write</c> and <c>StreamService/Write</c> (one per data point
/// or element, each echoing the stream's metadata) into the same bytes as protobuf's own encoder, without encoding the
/// status and the metadata again for every response: their two fields follow the id in the encoding and are the same
/// for a whole batch, so their bytes (the "tail") are kept per thread, the last few, by the status's text and the
/// metadata object with its field values, and each response is its id and a copy of them. Protobuf's encoder of these
/// responses was 6 % of the silo's request-thread CPU on ingest; measuring and writing the two fields for every
/// response, about 3 % of a running silo's CPU a point (docs/benchmarks.md, "A write response's status and metadata
/// encoded once a batch").
/// </summary>
/// <remarks>
/// Both messages are <c>message_id = 1</c> (uint64), <c>status = 2</c> (string), <c>metadata = 3</c>
/// (<c>common.v1.Metadata</c>); a field at its default value is left out, as protobuf does. Pinned by
/// <c>WriteResponseMarshallerTests</c> against <see cref="MessageExtensions.ToByteArray"/>.
/// </remarks>
public static class WriteResponseMarshaller
{
    // The tails last encoded on this thread, a few (a batch with refusals alternates statuses); the oldest is replaced.
    [ThreadStatic]
    private static EncodedTail?[]? s_tails;

    [ThreadStatic]
    private static int s_nextTail;

    /// <summary>
    /// The marshaller for <typeparamref name="TResponse"/>: this encoder for the two write responses, otherwise
    /// <paramref name="generated"/> unchanged. Decoding always stays with <paramref name="generated"/>.
    /// </summary>
    public static Marshaller<TResponse> For<TResponse>(Marshaller<TResponse> generated)
    {
        ArgumentNullException.ThrowIfNull(generated);
        if (typeof(TResponse) == typeof(MeasureV1.WriteResponse))
        {
            return new Marshaller<TResponse>(
                (response, context) => Serialize((MeasureV1.WriteResponse)(object)response!, context),
                generated.ContextualDeserializer);
        }

        if (typeof(TResponse) == typeof(StreamV1.WriteResponse))
        {
            return new Marshaller<TResponse>(
                (response, context) => Serialize((StreamV1.WriteResponse)(object)response!, context),
                generated.ContextualDeserializer);
        }

        return generated;
    }

    /// <summary>The protobuf encoding of a write response with these fields.</summary>
    public static byte[] Encode(ulong messageId, string status, Metadata? metadata)
    {
        byte[] tail = TailOf(status, metadata);
        byte[] bytes = new byte[LengthOf(messageId, tail)];
        Write(bytes, messageId, tail);
        return bytes;
    }

    /// <summary>
    /// Appends one write response as a gRPC message (the 5-byte prefix: not compressed, big-endian length; then the
    /// bytes of <see cref="Encode"/>) to <paramref name="writer"/>, for <see cref="PipeResponseSink"/>.
    /// </summary>
    public static void WriteFrame(IBufferWriter<byte> writer, ulong messageId, string status, Metadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(writer);
        byte[] tail = TailOf(status, metadata);
        int length = LengthOf(messageId, tail);
        Span<byte> frame = writer.GetSpan(5 + length);
        frame[0] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame[1..], (uint)length);
        Write(frame.Slice(5, length), messageId, tail);
        writer.Advance(5 + length);
    }

    private static void Serialize(MeasureV1.WriteResponse response, SerializationContext context)
        => Serialize(response.MessageId, response.Status, response.Metadata, context);

    private static void Serialize(StreamV1.WriteResponse response, SerializationContext context)
        => Serialize(response.MessageId, response.Status, response.Metadata, context);

    private static void Serialize(ulong messageId, string status, Metadata? metadata, SerializationContext context)
    {
        byte[] tail = TailOf(status, metadata);
        int length = LengthOf(messageId, tail);
        context.SetPayloadLength(length);
        IBufferWriter<byte> writer = context.GetBufferWriter();
        Write(writer.GetSpan(length)[..length], messageId, tail);
        writer.Advance(length);
        context.Complete();
    }

    private static int LengthOf(ulong messageId, byte[] tail)
        => (messageId == 0 ? 0 : 1 + CodedOutputStream.ComputeUInt64Size(messageId)) + tail.Length;

    private static void Write(Span<byte> destination, ulong messageId, byte[] tail)
    {
        int at = 0;
        if (messageId != 0)
        {
            destination[at++] = (1 << 3) | 0; // field 1, varint
            at += VarInt.Write(destination[at..], messageId);
        }

        tail.CopyTo(destination[at..]);
    }

    // The bytes of fields 2 and 3, kept (see the class's summary) or encoded now.
    private static byte[] TailOf(string status, Metadata? metadata)
    {
        EncodedTail?[] tails = s_tails ??= new EncodedTail?[4];
        foreach (EncodedTail? kept in tails)
        {
            if (kept is not null && kept.Matches(status, metadata))
            {
                return kept.Bytes;
            }
        }

        EncodedTail fresh = EncodedTail.Of(status, metadata);
        tails[s_nextTail] = fresh;
        s_nextTail = (s_nextTail + 1) % tails.Length;
        return fresh.Bytes;
    }

    // A response's status and metadata fields as encoded, with what they were encoded from: the metadata object and its
    // field values (a caller may change the object in place; then it is encoded again).
    private sealed class EncodedTail
    {
        private readonly string _status;
        private readonly Metadata? _source;
        private readonly string? _group;
        private readonly string? _name;
        private readonly uint _id;
        private readonly long _createRevision;
        private readonly long _modRevision;

        private EncodedTail(string status, Metadata? metadata, byte[] bytes)
        {
            _status = status;
            _source = metadata;
            _group = metadata?.Group;
            _name = metadata?.Name;
            _id = metadata?.Id ?? 0;
            _createRevision = metadata?.CreateRevision ?? 0;
            _modRevision = metadata?.ModRevision ?? 0;
            Bytes = bytes;
        }

        public byte[] Bytes { get; }

        public static EncodedTail Of(string status, Metadata? metadata)
        {
            byte[] statusBytes = string.IsNullOrEmpty(status) ? [] : System.Text.Encoding.UTF8.GetBytes(status);
            byte[]? metadataBytes = metadata?.ToByteArray();
            int length = (statusBytes.Length == 0 ? 0 : 1 + CodedOutputStream.ComputeLengthSize(statusBytes.Length) + statusBytes.Length)
                + (metadataBytes is null ? 0 : 1 + CodedOutputStream.ComputeLengthSize(metadataBytes.Length) + metadataBytes.Length);
            byte[] bytes = new byte[length];
            int at = 0;
            if (statusBytes.Length > 0)
            {
                bytes[at++] = (2 << 3) | 2; // field 2, length-delimited
                at += VarInt.Write(bytes.AsSpan(at), (ulong)statusBytes.Length);
                statusBytes.CopyTo(bytes.AsSpan(at));
                at += statusBytes.Length;
            }

            if (metadataBytes is not null)
            {
                bytes[at++] = (3 << 3) | 2; // field 3, length-delimited
                at += VarInt.Write(bytes.AsSpan(at), (ulong)metadataBytes.Length);
                metadataBytes.CopyTo(bytes.AsSpan(at));
            }

            return new EncodedTail(status, metadata, bytes);
        }

        public bool Matches(string status, Metadata? metadata) => string.Equals(status, _status, StringComparison.Ordinal)
            && ReferenceEquals(metadata, _source)
            && (metadata is null || (ReferenceEquals(metadata.Group, _group) && ReferenceEquals(metadata.Name, _name)
                && metadata.Id == _id && metadata.CreateRevision == _createRevision && metadata.ModRevision == _modRevision));
    }
}
