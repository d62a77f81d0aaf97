using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Banyan.Grains.Queries;
using Banyan.Storage.Bytes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Status = Banyan.Api.Model.V1.Status;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Encodes the <c>QueryResponse</c> of <c>MeasureService/Query</c> into the same bytes as protobuf's own encoder, with
/// the size of each nested message measured once. Protobuf's C# encoder measures a message again each time it writes
/// one inside another (to write its length first), so a tag value four messages deep is measured five times; for an
/// answer of many data points that was most of the query's encoding work (docs/benchmarks.md, "Measure query answers
/// over gRPC").
/// </summary>
/// <remarks>
/// Two passes over the answer: the first measures every length-delimited value (message, string, bytes, packed list)
/// and keeps the lengths in a per-thread list in the order they are met; the second writes the fields, taking each
/// length from that list in the same order. Fields at their default values are left out as protobuf does (except the
/// members of a oneof, which are written whenever set), fields in field-number order, map entries in insertion order.
/// An answer with a trace is left to the generated encoder. The silo builds the answers it sends, so they never carry
/// unknown fields, which this encoder would not write. Pinned by <c>MeasureQueryResponseEncoderTests</c> against
/// <see cref="MessageExtensions.ToByteArray"/>.
/// </remarks>
public static class MeasureQueryResponseEncoder
{
    // Tags (field number << 3 | wire type) of the fields written here.
    private const byte LengthDelimited = 2;
    private const int GroupStatusesTag = (50 << 3) | LengthDelimited;

    // The lengths list kept per thread between answers, unless an answer grew it past this (then it goes with the answer).
    private const int MaxKeptLengths = 1 << 16;

    [ThreadStatic]
    private static int[]? s_lengths;

    /// <summary>
    /// The marshaller for <typeparamref name="TResponse"/>: this encoder for the measure query answer, otherwise
    /// <paramref name="generated"/> unchanged. Decoding always stays with <paramref name="generated"/>.
    /// </summary>
    public static Marshaller<TResponse> For<TResponse>(Marshaller<TResponse> generated)
    {
        ArgumentNullException.ThrowIfNull(generated);
        if (typeof(TResponse) != typeof(QueryResponse))
        {
            return generated;
        }

        Action<TResponse, SerializationContext> fallback = generated.ContextualSerializer;
        return new Marshaller<TResponse>(
            (response, context) =>
            {
                var answer = (QueryResponse)(object)response!;
                MeasurePointRows.TryTakeFrom(answer, out MeasurePointRows? rows);
                if (answer.Trace is not null)
                {
                    // Not written by this encoder: the points become objects first.
                    answer.DataPoints.Add(rows?.ToDataPoints() ?? []);
                    fallback(response, context);
                    return;
                }

                Serialize(answer, rows, context);
            },
            generated.ContextualDeserializer);
    }

    /// <summary>The protobuf encoding of <paramref name="response"/>, which must not carry a trace.</summary>
    /// <exception cref="ArgumentException"><paramref name="response"/> carries a trace.</exception>
    public static byte[] Encode(QueryResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Trace is not null)
        {
            throw new ArgumentException("An answer with a trace is encoded by protobuf's own encoder.", nameof(response));
        }

        var lengths = new Lengths(s_lengths ??= new int[256]);
        int length = MeasureResponse(response, ref lengths);
        Keep(lengths.Array);
        byte[] bytes = new byte[length];
        var writer = new Writer(bytes, lengths.Array);
        WriteResponse(response, ref writer);
        return bytes;
    }

    // With rows (MeasurePointRows), the response's data_points are empty and the rows' points are written first: field 1
    // comes before the response's other fields, as protobuf orders them.
    private static void Serialize(QueryResponse response, MeasurePointRows? rows, SerializationContext context)
    {
        byte[] points = rows?.EncodeDataPoints() ?? [];
        var lengths = new Lengths(s_lengths ??= new int[256]);
        int length = points.Length + MeasureResponse(response, ref lengths);
        Keep(lengths.Array);
        context.SetPayloadLength(length);
        IBufferWriter<byte> output = context.GetBufferWriter();
        Span<byte> destination = output.GetSpan(length)[..length];
        points.CopyTo(destination);
        var writer = new Writer(destination[points.Length..], lengths.Array);
        WriteResponse(response, ref writer);
        output.Advance(length);
        context.Complete();
    }

    private static void Keep(int[] lengths)
    {
        if (lengths.Length <= MaxKeptLengths)
        {
            s_lengths = lengths;
        }
    }

    // ---- First pass: the length of every length-delimited value, in the order the second pass writes them. ----

    private static int MeasureResponse(QueryResponse response, ref Lengths lengths)
    {
        int size = 0;
        for (int p = 0; p < response.DataPoints.Count; p++)
        {
            DataPoint point = response.DataPoints[p];
            size += 1 + Nested(ref lengths, MeasurePoint(point, ref lengths));
        }

        foreach (KeyValuePair<string, Status> status in response.GroupStatuses)
        {
            int slot = lengths.Reserve();
            int entry = 0;
            if (status.Key.Length > 0)
            {
                entry += 1 + MeasureString(status.Key, ref lengths);
            }

            if (status.Value != 0)
            {
                entry += 1 + CodedOutputStream.ComputeEnumSize((int)status.Value);
            }

            size += 2 + Nested(ref lengths, lengths.Set(slot, entry));
        }

        return size;
    }

    private static int MeasurePoint(DataPoint point, ref Lengths lengths)
    {
        int slot = lengths.Reserve();
        int size = 0;
        if (point.Timestamp is { } timestamp)
        {
            size += 1 + Nested(ref lengths, MeasureTimestamp(timestamp, ref lengths));
        }

        for (int f = 0; f < point.TagFamilies.Count; f++)
        {
            TagFamily family = point.TagFamilies[f];
            size += 1 + Nested(ref lengths, MeasureFamily(family, ref lengths));
        }

        for (int f = 0; f < point.Fields.Count; f++)
        {
            DataPoint.Types.Field field = point.Fields[f];
            size += 1 + Nested(ref lengths, MeasureField(field, ref lengths));
        }

        if (point.Sid != 0)
        {
            size += 1 + CodedOutputStream.ComputeUInt64Size(point.Sid);
        }

        if (point.Version != 0)
        {
            size += 1 + CodedOutputStream.ComputeInt64Size(point.Version);
        }

        return lengths.Set(slot, size);
    }

    private static int MeasureFamily(TagFamily family, ref Lengths lengths)
    {
        int slot = lengths.Reserve();
        int size = family.Name.Length > 0 ? 1 + MeasureString(family.Name, ref lengths) : 0;
        for (int t = 0; t < family.Tags.Count; t++)
        {
            Tag tag = family.Tags[t];
            int tagSlot = lengths.Reserve();
            int tagSize = tag.Key.Length > 0 ? 1 + MeasureString(tag.Key, ref lengths) : 0;
            if (tag.Value is { } value)
            {
                tagSize += 1 + Nested(ref lengths, MeasureTagValue(value, ref lengths));
            }

            size += 1 + Nested(ref lengths, lengths.Set(tagSlot, tagSize));
        }

        return lengths.Set(slot, size);
    }

    private static int MeasureTagValue(TagValue value, ref Lengths lengths)
    {
        int slot = lengths.Reserve();
        int size = value.ValueCase switch
        {
            TagValue.ValueOneofCase.Null => 1 + CodedOutputStream.ComputeEnumSize((int)value.Null),
            TagValue.ValueOneofCase.Str => 1 + Nested(ref lengths, MeasureStr(value.Str, ref lengths)),
            TagValue.ValueOneofCase.StrArray => 1 + Nested(ref lengths, MeasureStrArray(value.StrArray, ref lengths)),
            TagValue.ValueOneofCase.Int => 1 + Nested(ref lengths, MeasureInt(value.Int)),
            TagValue.ValueOneofCase.IntArray => 1 + Nested(ref lengths, MeasureIntArray(value.IntArray, ref lengths)),
            TagValue.ValueOneofCase.BinaryData => 1 + CodedOutputStream.ComputeBytesSize(value.BinaryData),
            TagValue.ValueOneofCase.Timestamp => 1 + Nested(ref lengths, MeasureTimestamp(value.Timestamp, ref lengths)),
            _ => 0,
        };
        return lengths.Set(slot, size);
    }

    private static int MeasureField(DataPoint.Types.Field field, ref Lengths lengths)
    {
        int slot = lengths.Reserve();
        int size = field.Name.Length > 0 ? 1 + MeasureString(field.Name, ref lengths) : 0;
        if (field.Value is { } value)
        {
            int valueSlot = lengths.Reserve();
            int valueSize = value.ValueCase switch
            {
                FieldValue.ValueOneofCase.Null => 1 + CodedOutputStream.ComputeEnumSize((int)value.Null),
                FieldValue.ValueOneofCase.Str => 1 + Nested(ref lengths, MeasureStr(value.Str, ref lengths)),
                FieldValue.ValueOneofCase.Int => 1 + Nested(ref lengths, MeasureInt(value.Int)),
                FieldValue.ValueOneofCase.BinaryData => 1 + CodedOutputStream.ComputeBytesSize(value.BinaryData),
                FieldValue.ValueOneofCase.Float => 1 + Nested(ref lengths, value.Float.Value != 0d ? 1 + 8 : 0),
                _ => 0,
            };
            size += 1 + Nested(ref lengths, lengths.Set(valueSlot, valueSize));
        }

        return lengths.Set(slot, size);
    }

    // A message's length is reserved before its fields are measured (the writer meets it first); these messages have
    // no length-delimited fields of their own but their one string, measured after the reservation.
    private static int MeasureStr(Str str, ref Lengths lengths)
    {
        int slot = lengths.Reserve();
        return lengths.Set(slot, str.Value.Length > 0 ? 1 + MeasureString(str.Value, ref lengths) : 0);
    }

    private static int MeasureStrArray(StrArray array, ref Lengths lengths)
    {
        int slot = lengths.Reserve();
        int size = 0;
        for (int e = 0; e < array.Value.Count; e++)
        {
            string element = array.Value[e];
            size += 1 + MeasureString(element, ref lengths);
        }

        return lengths.Set(slot, size);
    }

    private static int MeasureInt(Int value) => value.Value != 0 ? 1 + CodedOutputStream.ComputeInt64Size(value.Value) : 0;

    private static int MeasureIntArray(IntArray array, ref Lengths lengths)
    {
        int slot = lengths.Reserve();
        if (array.Value.Count == 0)
        {
            return lengths.Set(slot, 0);
        }

        int packed = 0;
        for (int e = 0; e < array.Value.Count; e++)
        {
            long element = array.Value[e];
            packed += CodedOutputStream.ComputeInt64Size(element);
        }

        int packedSlot = lengths.Reserve();
        lengths.Set(packedSlot, packed);
        return lengths.Set(slot, 1 + CodedOutputStream.ComputeLengthSize(packed) + packed);
    }

    private static int MeasureTimestamp(Timestamp timestamp, ref Lengths lengths)
    {
        int size = 0;
        if (timestamp.Seconds != 0)
        {
            size += 1 + CodedOutputStream.ComputeInt64Size(timestamp.Seconds);
        }

        if (timestamp.Nanos != 0)
        {
            size += 1 + CodedOutputStream.ComputeInt32Size(timestamp.Nanos);
        }

        int slot = lengths.Reserve();
        return lengths.Set(slot, size);
    }

    // A string's UTF-8 length, kept for the writer; returns the length with its prefix.
    private static int MeasureString(string value, ref Lengths lengths)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        int slot = lengths.Reserve();
        lengths.Set(slot, bytes);
        return CodedOutputStream.ComputeLengthSize(bytes) + bytes;
    }

    // A measured message's size with its length prefix.
    private static int Nested(ref Lengths lengths, int size) => CodedOutputStream.ComputeLengthSize(size) + size;

    // ---- Second pass: the fields, each length taken from the first pass in order. ----

    private static void WriteResponse(QueryResponse response, ref Writer writer)
    {
        for (int p = 0; p < response.DataPoints.Count; p++)
        {
            DataPoint point = response.DataPoints[p];
            writer.Tag(1, LengthDelimited);
            WritePoint(point, ref writer);
        }

        foreach (KeyValuePair<string, Status> status in response.GroupStatuses)
        {
            writer.Varint(GroupStatusesTag);
            writer.Length();
            if (status.Key.Length > 0)
            {
                writer.Tag(1, LengthDelimited);
                writer.String(status.Key);
            }

            if (status.Value != 0)
            {
                writer.Tag(2, 0);
                writer.Varint((ulong)(long)(int)status.Value);
            }
        }

        writer.CheckDone();
    }

    private static void WritePoint(DataPoint point, ref Writer writer)
    {
        writer.Length();
        if (point.Timestamp is { } timestamp)
        {
            writer.Tag(1, LengthDelimited);
            WriteTimestamp(timestamp, ref writer);
        }

        for (int f = 0; f < point.TagFamilies.Count; f++)
        {
            TagFamily family = point.TagFamilies[f];
            writer.Tag(2, LengthDelimited);
            writer.Length();
            if (family.Name.Length > 0)
            {
                writer.Tag(1, LengthDelimited);
                writer.String(family.Name);
            }

            for (int t = 0; t < family.Tags.Count; t++)
            {
                Tag tag = family.Tags[t];
                writer.Tag(2, LengthDelimited);
                writer.Length();
                if (tag.Key.Length > 0)
                {
                    writer.Tag(1, LengthDelimited);
                    writer.String(tag.Key);
                }

                if (tag.Value is { } value)
                {
                    writer.Tag(2, LengthDelimited);
                    WriteTagValue(value, ref writer);
                }
            }
        }

        for (int f = 0; f < point.Fields.Count; f++)
        {
            DataPoint.Types.Field field = point.Fields[f];
            writer.Tag(3, LengthDelimited);
            writer.Length();
            if (field.Name.Length > 0)
            {
                writer.Tag(1, LengthDelimited);
                writer.String(field.Name);
            }

            if (field.Value is { } value)
            {
                writer.Tag(2, LengthDelimited);
                WriteFieldValue(value, ref writer);
            }
        }

        if (point.Sid != 0)
        {
            writer.Tag(4, 0);
            writer.Varint(point.Sid);
        }

        if (point.Version != 0)
        {
            writer.Tag(5, 0);
            writer.Varint((ulong)point.Version);
        }
    }

    private static void WriteTagValue(TagValue value, ref Writer writer)
    {
        writer.Length();
        switch (value.ValueCase)
        {
            case TagValue.ValueOneofCase.Null:
                writer.Tag(1, 0);
                writer.Varint((ulong)(long)(int)value.Null);
                break;
            case TagValue.ValueOneofCase.Str:
                writer.Tag(2, LengthDelimited);
                WriteStr(value.Str, ref writer);
                break;
            case TagValue.ValueOneofCase.StrArray:
                writer.Tag(3, LengthDelimited);
                writer.Length();
                for (int e = 0; e < value.StrArray.Value.Count; e++)
                {
                    string element = value.StrArray.Value[e];
                    writer.Tag(1, LengthDelimited);
                    writer.String(element);
                }

                break;
            case TagValue.ValueOneofCase.Int:
                writer.Tag(4, LengthDelimited);
                WriteInt(value.Int, ref writer);
                break;
            case TagValue.ValueOneofCase.IntArray:
                writer.Tag(5, LengthDelimited);
                writer.Length();
                if (value.IntArray.Value.Count > 0)
                {
                    writer.Tag(1, LengthDelimited);
                    writer.Length();
                    for (int e = 0; e < value.IntArray.Value.Count; e++)
                    {
                        long element = value.IntArray.Value[e];
                        writer.Varint((ulong)element);
                    }
                }

                break;
            case TagValue.ValueOneofCase.BinaryData:
                writer.Tag(6, LengthDelimited);
                writer.Bytes(value.BinaryData.Span);
                break;
            case TagValue.ValueOneofCase.Timestamp:
                writer.Tag(7, LengthDelimited);
                WriteTimestamp(value.Timestamp, ref writer);
                break;
        }
    }

    private static void WriteFieldValue(FieldValue value, ref Writer writer)
    {
        writer.Length();
        switch (value.ValueCase)
        {
            case FieldValue.ValueOneofCase.Null:
                writer.Tag(1, 0);
                writer.Varint((ulong)(long)(int)value.Null);
                break;
            case FieldValue.ValueOneofCase.Str:
                writer.Tag(2, LengthDelimited);
                WriteStr(value.Str, ref writer);
                break;
            case FieldValue.ValueOneofCase.Int:
                writer.Tag(3, LengthDelimited);
                WriteInt(value.Int, ref writer);
                break;
            case FieldValue.ValueOneofCase.BinaryData:
                writer.Tag(4, LengthDelimited);
                writer.Bytes(value.BinaryData.Span);
                break;
            case FieldValue.ValueOneofCase.Float:
                writer.Tag(5, LengthDelimited);
                double number = value.Float.Value;
                writer.Raw(number != 0d ? 9 : 0); // the Float message's length: its one double field, or nothing
                if (number != 0d)
                {
                    writer.Tag(1, 1);
                    writer.Double(number);
                }

                break;
        }
    }

    private static void WriteStr(Str str, ref Writer writer)
    {
        writer.Length();
        if (str.Value.Length > 0)
        {
            writer.Tag(1, LengthDelimited);
            writer.String(str.Value);
        }
    }

    // An Int message has no length-delimited field, so its length was not kept: it is one varint field or nothing.
    private static void WriteInt(Int value, ref Writer writer)
    {
        if (value.Value == 0)
        {
            writer.Raw(0);
            return;
        }

        writer.Raw(1 + CodedOutputStream.ComputeInt64Size(value.Value));
        writer.Tag(1, 0);
        writer.Varint((ulong)value.Value);
    }

    private static void WriteTimestamp(Timestamp timestamp, ref Writer writer)
    {
        writer.Length();
        if (timestamp.Seconds != 0)
        {
            writer.Tag(1, 0);
            writer.Varint((ulong)timestamp.Seconds);
        }

        if (timestamp.Nanos != 0)
        {
            writer.Tag(2, 0);
            writer.Varint((ulong)(long)timestamp.Nanos); // int32 is sign-extended to 10 bytes when negative, as protobuf does
        }
    }

    // The first pass's list of lengths: a slot is reserved where the writer will meet the length, and filled once known.
    private ref struct Lengths(int[] array)
    {
        private int _count;

        public int[] Array { get; private set; } = array;

        public int Reserve()
        {
            if (_count == Array.Length)
            {
                int[] grown = new int[Array.Length * 2];
                Array.CopyTo(grown, 0);
                Array = grown;
            }

            return _count++;
        }

        public readonly int Set(int slot, int length)
        {
            Array[slot] = length;
            return length;
        }
    }

    // Writes into a span of exactly the measured size, taking lengths from the first pass in order.
    private ref struct Writer(Span<byte> destination, int[] lengths)
    {
        private readonly Span<byte> _destination = destination;
        private readonly int[] _lengths = lengths;
        private int _at;
        private int _next;

        public void Tag(int field, int wireType) => _destination[_at++] = (byte)((field << 3) | wireType); // fields 1-15 only

        // The next length from the first pass, as a length prefix.
        public void Length() => Varint((ulong)_lengths[_next++]);

        // A length not kept by the first pass (a message without length-delimited fields).
        public void Raw(int length) => Varint((ulong)length);

        public void String(string value)
        {
            int bytes = _lengths[_next++];
            Varint((ulong)bytes);
            int written = Encoding.UTF8.GetBytes(value, _destination[_at..]);
            if (written != bytes)
            {
                throw new InvalidOperationException($"A string of the answer encoded to {written} bytes, not the {bytes} measured; this is a bug.");
            }

            _at += bytes;
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            Varint((ulong)value.Length);
            value.CopyTo(_destination[_at..]);
            _at += value.Length;
        }

        public void Double(double value)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_destination[_at..], value);
            _at += 8;
        }

        public void Varint(ulong value) => _at += VarInt.Write(_destination[_at..], value);

        public readonly void CheckDone()
        {
            if (_at != _destination.Length)
            {
                throw new InvalidOperationException($"The answer encoded to {_at} bytes, not the {_destination.Length} measured; this is a bug.");
            }
        }
    }
}
