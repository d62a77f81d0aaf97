using System.Text.Unicode;

namespace Banyan.Grains.Writes.Wire;

/// <summary>
/// Whether the bytes of a measure <c>DataPointValue</c> are ones Google.Protobuf parses without an error: the write
/// stream checks each message's data point with this instead of parsing it into objects, and the measure grain decodes
/// the bytes later (<see cref="DataPointWireDecoder"/>). Every message field the protobuf types declare is checked
/// inside (strings are valid UTF-8, packed integers are whole varints); other fields are stepped over as the parser
/// keeps unknown fields. False means "not vouched for", not "invalid": the caller parses the message with
/// Google.Protobuf then, which accepts it or gives the error a client gets.
/// </summary>
public static class DataPointWireCheck
{
    // DataPointValue (measure/v1/write.proto) and the model/v1 messages it holds: field numbers of the message-typed fields.
    private const int PointTimestamp = 1;
    private const int PointTagFamilies = 2;
    private const int PointFields = 3;
    private const int PointVersion = 4;
    private const int FamilyTags = 1;
    private const int TagStr = 2;
    private const int TagStrArray = 3;
    private const int TagInt = 4;
    private const int TagIntArray = 5;
    private const int TagTimestamp = 7;
    private const int FieldStr = 2;
    private const int FieldInt = 3;
    private const int FieldFloat = 5;

    /// <summary>True when <paramref name="point"/> parses as a <c>DataPointValue</c>; <paramref name="version"/> is its <c>version</c> (0 when unset).</summary>
    public static bool TryCheck(ReadOnlySpan<byte> point, out long version)
    {
        version = 0;
        ProtobufWireReader reader = new(point);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            if (wireType == ProtobufWireReader.Varint && field == PointVersion)
            {
                if (!reader.TryReadVarint(out ulong value))
                {
                    return false;
                }

                version = unchecked((long)value); // the last occurrence wins, as in the parser
                continue;
            }

            if (wireType != ProtobufWireReader.LengthDelimited || field is not (PointTimestamp or PointTagFamilies or PointFields))
            {
                if (!reader.TrySkip(wireType))
                {
                    return false;
                }

                continue;
            }

            if (!reader.TryReadLengthDelimited(out int start, out int length))
            {
                return false;
            }

            ReadOnlySpan<byte> inner = point.Slice(start, length);
            bool ok = field switch
            {
                PointTimestamp => ScalarsOnly(inner),
                PointTagFamilies => TagFamily(inner),
                _ => FieldValue(inner),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TagFamily(ReadOnlySpan<byte> family)
    {
        ProtobufWireReader reader = new(family);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            if (!(field == FamilyTags && wireType == ProtobufWireReader.LengthDelimited ? Inner(ref reader, family, TagValue) : reader.TrySkip(wireType)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TagValue(ReadOnlySpan<byte> tag)
    {
        ProtobufWireReader reader = new(tag);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            bool ok = wireType != ProtobufWireReader.LengthDelimited ? reader.TrySkip(wireType) : field switch
            {
                TagStr or TagStrArray => Inner(ref reader, tag, Strings),
                TagIntArray => Inner(ref reader, tag, Int64s),
                TagInt or TagTimestamp => Inner(ref reader, tag, ScalarsOnly),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool FieldValue(ReadOnlySpan<byte> value)
    {
        ProtobufWireReader reader = new(value);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            bool ok = wireType != ProtobufWireReader.LengthDelimited ? reader.TrySkip(wireType) : field switch
            {
                FieldStr => Inner(ref reader, value, Strings),
                FieldInt or FieldFloat => Inner(ref reader, value, ScalarsOnly),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    // Str and StrArray: field 1 is a (repeated) string.
    private static bool Strings(ReadOnlySpan<byte> message)
    {
        ProtobufWireReader reader = new(message);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            if (field == 1 && wireType == ProtobufWireReader.LengthDelimited)
            {
                if (!reader.TryReadLengthDelimited(out int start, out int length) || !Utf8.IsValid(message.Slice(start, length)))
                {
                    return false;
                }
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }

    // IntArray: field 1 is a repeated int64, packed (length-delimited varints) or not.
    private static bool Int64s(ReadOnlySpan<byte> message)
    {
        ProtobufWireReader reader = new(message);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out int field, out int wireType))
            {
                return false;
            }

            if (field == 1 && wireType == ProtobufWireReader.LengthDelimited)
            {
                if (!reader.TryReadLengthDelimited(out int start, out int length))
                {
                    return false;
                }

                ProtobufWireReader packed = new(message.Slice(start, length));
                while (!packed.AtEnd)
                {
                    if (!packed.TryReadVarint(out _))
                    {
                        return false;
                    }
                }
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }

    // Timestamp, Int, Float: only scalar fields, so any well-formed field list parses.
    private static bool ScalarsOnly(ReadOnlySpan<byte> message)
    {
        ProtobufWireReader reader = new(message);
        while (!reader.AtEnd)
        {
            if (!reader.TryReadTag(out _, out int wireType) || !reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }

    private delegate bool Check(ReadOnlySpan<byte> message);

    private static bool Inner(ref ProtobufWireReader reader, ReadOnlySpan<byte> outer, Check check)
        => reader.TryReadLengthDelimited(out int start, out int length) && check(outer.Slice(start, length));
}
