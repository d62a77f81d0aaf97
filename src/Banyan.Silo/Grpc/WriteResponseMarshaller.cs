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
/// or element, each echoing the stream's metadata) into the same bytes as protobuf's own encoder, without measuring
/// and encoding the metadata's strings again for every response: the encoding of the metadata last seen on the
/// thread is kept and reused while the same, unchanged metadata object comes back (a write stream answers a whole
/// batch with one). Protobuf's encoder of these responses was 6 % of the silo's request-thread CPU on ingest.
/// </summary>
/// <remarks>
/// Both messages are <c>message_id = 1</c> (uint64), <c>status = 2</c> (string), <c>metadata = 3</c>
/// (<c>common.v1.Metadata</c>); a field at its default value is left out, as protobuf does. Pinned by
/// <c>WriteResponseMarshallerTests</c> against <see cref="MessageExtensions.ToByteArray"/>.
/// </remarks>
public static class WriteResponseMarshaller
{
    [ThreadStatic]
    private static CachedMetadata? s_metadata;

    [ThreadStatic]
    private static Dictionary<string, byte[]>? s_statuses;

    // The status and metadata fields last encoded on this thread, a few (a batch with refusals alternates statuses).
    [ThreadStatic]
    private static EncodedTail?[]? s_tails;

    [ThreadStatic]
    private static int s_nextTail;

    // The status encoded last, by its string object: a stream answers STATUS_SUCCEED's one string almost every time
    // (WriteStatusNames), so most responses skip hashing the name for the dictionary. Replaced whole, so any thread
    // reads a matching pair.
    private static EncodedStatus? s_lastStatus;

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
        byte[] bytes = new byte[Measure(messageId, status, metadata, out ReadOnlySpan<byte> statusBytes, out byte[]? metadataBytes)];
        Write(bytes, messageId, statusBytes, metadataBytes);
        return bytes;
    }

    /// <summary>
    /// Appends one write response as a gRPC message (the 5-byte prefix: not compressed, big-endian length; then the
    /// bytes of <see cref="Encode"/>) to <paramref name="writer"/>, for <see cref="PipeResponseSink"/>.
    /// </summary>
    public static void WriteFrame(IBufferWriter<byte> writer, ulong messageId, string status, Metadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(writer);

        // Fields 2 and 3 follow the id in the encoding and are the same for a whole batch: their bytes are encoded once
        // (Encode without an id gives exactly them) and copied after each response's id.
        byte[] tail = TailOf(status, metadata);
        int length = (messageId == 0 ? 0 : 1 + CodedOutputStream.ComputeUInt64Size(messageId)) + tail.Length;
        Span<byte> frame = writer.GetSpan(5 + length);
        frame[0] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame[1..], (uint)length);
        int at = 5;
        if (messageId != 0)
        {
            frame[at++] = (1 << 3) | 0; // field 1, varint
            at += VarInt.Write(frame[at..], messageId);
        }

        tail.CopyTo(frame[at..]);
        writer.Advance(5 + length);
    }

    // The encoding of status and metadata, kept per thread by the status's text and the metadata object (its fields
    // compared, as it may change in place); the oldest of the kept ones is replaced by a new one.
    private static byte[] TailOf(string status, Metadata? metadata)
    {
        EncodedTail?[] tails = s_tails ??= new EncodedTail?[4];
        foreach (EncodedTail? kept in tails)
        {
            if (kept is not null && string.Equals(kept.Status, status, StringComparison.Ordinal)
                && (metadata is null ? kept.Metadata is null : kept.Metadata is { } cached && cached.Matches(metadata)))
            {
                return kept.Bytes;
            }
        }

        EncodedTail fresh = new(status, metadata is null ? null : new CachedMetadata(metadata), Encode(0, status, metadata));
        tails[s_nextTail] = fresh;
        s_nextTail = (s_nextTail + 1) % tails.Length;
        return fresh.Bytes;
    }

    private static void Serialize(MeasureV1.WriteResponse response, SerializationContext context)
        => Serialize(response.MessageId, response.Status, response.Metadata, context);

    private static void Serialize(StreamV1.WriteResponse response, SerializationContext context)
        => Serialize(response.MessageId, response.Status, response.Metadata, context);

    private static void Serialize(ulong messageId, string status, Metadata? metadata, SerializationContext context)
    {
        int length = Measure(messageId, status, metadata, out ReadOnlySpan<byte> statusBytes, out byte[]? metadataBytes);
        context.SetPayloadLength(length);
        IBufferWriter<byte> writer = context.GetBufferWriter();
        Write(writer.GetSpan(length)[..length], messageId, statusBytes, metadataBytes);
        writer.Advance(length);
        context.Complete();
    }

    private static int Measure(ulong messageId, string status, Metadata? metadata, out ReadOnlySpan<byte> statusBytes, out byte[]? metadataBytes)
    {
        statusBytes = StatusBytes(status);
        metadataBytes = metadata is null ? null : MetadataBytes(metadata);
        int length = 0;
        if (messageId != 0)
        {
            length += 1 + CodedOutputStream.ComputeUInt64Size(messageId);
        }

        if (statusBytes.Length > 0)
        {
            length += 1 + CodedOutputStream.ComputeLengthSize(statusBytes.Length) + statusBytes.Length;
        }

        if (metadataBytes is not null)
        {
            length += 1 + CodedOutputStream.ComputeLengthSize(metadataBytes.Length) + metadataBytes.Length;
        }

        return length;
    }

    private static void Write(Span<byte> destination, ulong messageId, ReadOnlySpan<byte> status, byte[]? metadata)
    {
        int at = 0;
        if (messageId != 0)
        {
            destination[at++] = (1 << 3) | 0; // field 1, varint
            at += VarInt.Write(destination[at..], messageId);
        }

        if (status.Length > 0)
        {
            destination[at++] = (2 << 3) | 2; // field 2, length-delimited
            at += VarInt.Write(destination[at..], (ulong)status.Length);
            status.CopyTo(destination[at..]);
            at += status.Length;
        }

        if (metadata is not null)
        {
            destination[at++] = (3 << 3) | 2; // field 3, length-delimited
            at += VarInt.Write(destination[at..], (ulong)metadata.Length);
            metadata.CopyTo(destination[at..]);
        }
    }

    // Status names are a handful of constants: their UTF-8 bytes are kept per thread.
    private static ReadOnlySpan<byte> StatusBytes(string status)
    {
        if (string.IsNullOrEmpty(status))
        {
            return [];
        }

        if (s_lastStatus is { } last && ReferenceEquals(last.Status, status))
        {
            return last.Bytes;
        }

        Dictionary<string, byte[]> statuses = s_statuses ??= new(StringComparer.Ordinal);
        if (!statuses.TryGetValue(status, out byte[]? bytes))
        {
            bytes = System.Text.Encoding.UTF8.GetBytes(status);
            if (statuses.Count < 64)
            {
                statuses[status] = bytes;
            }
        }

        s_lastStatus = new EncodedStatus(status, bytes);
        return bytes;
    }

    private sealed record EncodedStatus(string Status, byte[] Bytes);

    // A response's status and metadata fields as encoded, with what they were encoded from.
    private sealed record EncodedTail(string Status, CachedMetadata? Metadata, byte[] Bytes);

    // The same object with the same field values was encoded to these bytes; a changed object is encoded again.
    private static byte[] MetadataBytes(Metadata metadata)
    {
        if (s_metadata is { } cached && cached.Matches(metadata))
        {
            return cached.Bytes;
        }

        CachedMetadata fresh = new(metadata);
        s_metadata = fresh;
        return fresh.Bytes;
    }

    private sealed class CachedMetadata(Metadata metadata)
    {
        private readonly Metadata _source = metadata;
        private readonly string _group = metadata.Group;
        private readonly string _name = metadata.Name;
        private readonly uint _id = metadata.Id;
        private readonly long _createRevision = metadata.CreateRevision;
        private readonly long _modRevision = metadata.ModRevision;

        public byte[] Bytes { get; } = metadata.ToByteArray();

        public bool Matches(Metadata metadata) => ReferenceEquals(metadata, _source)
            && ReferenceEquals(metadata.Group, _group) && ReferenceEquals(metadata.Name, _name)
            && metadata.Id == _id && metadata.CreateRevision == _createRevision && metadata.ModRevision == _modRevision;
    }
}
