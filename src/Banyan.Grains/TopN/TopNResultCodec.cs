using System.Buffers.Binary;
using System.IO.Hashing;
using Banyan.Storage;
using Banyan.Storage.Bytes;
using Banyan.Storage.Values;

namespace Banyan.Grains.TopN;

/// <summary>
/// The bytes of one persisted ranked list (the binary field of a <c>_top_n_result</c> row). Little-endian:
/// <code>
/// u8   format version (1)
/// u8   value type: 1 INT (i64), 2 FLOAT (f64 bits)
/// var  item count (at most <see cref="MaxItems"/>)
/// per item, best first:
///   u64  source series id
///   i64  value (f64 bits for FLOAT)
///   var  entity value count, then per value: u8 kind (TagValueKind), payload:
///        0 null: none · 1 str: var length, UTF-8 · 2 int: i64 · 4 binary: var length, bytes ·
///        5 str array: var count, each var length + UTF-8 · 6 int array: var count, each i64 · 7 timestamp: i64 ns
/// u32  CRC-32 (IEEE) of every byte before it
/// </code>
/// A damaged value is reported as <see cref="StorageCorruptionException"/> naming where it was read and the offset.
/// </summary>
internal static class TopNResultCodec
{
    /// <summary>The format version written.</summary>
    public const byte Version = 1;

    /// <summary>Largest item count accepted when decoding (far above any <c>counters_number</c> in use).</summary>
    public const int MaxItems = 1 << 20;

    private const byte IntType = 1;
    private const byte FloatType = 2;

    /// <summary>Encodes <paramref name="items"/> (values of one type: <paramref name="isFloat"/>).</summary>
    public static byte[] Encode(IReadOnlyList<TopNItem> items, bool isFloat)
    {
        ArgumentNullException.ThrowIfNull(items);
        using ByteBuffer buffer = new(64 + (items.Count * 32));
        buffer.WriteByte(Version);
        buffer.WriteByte(isFloat ? FloatType : IntType);
        buffer.WriteVarUInt64((ulong)items.Count);
        foreach (TopNItem item in items)
        {
            buffer.WriteUInt64(item.SeriesId);
            buffer.WriteInt64(isFloat ? BitConverter.DoubleToInt64Bits(item.Value.Float) : item.Value.Int);
            buffer.WriteVarUInt64((ulong)item.Entity.Length);
            foreach (TagValue value in item.Entity)
            {
                WriteValue(buffer, value);
            }
        }

        buffer.WriteUInt32(Crc32.HashToUInt32(buffer.WrittenSpan));
        return buffer.ToArray();
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote; <paramref name="where"/> names the row in errors.</summary>
    /// <exception cref="StorageCorruptionException">The bytes are damaged: checksum, version, type, a length or a value.</exception>
    public static (TopNItem[] Items, bool IsFloat) Decode(ReadOnlySpan<byte> bytes, string where)
    {
        if (bytes.Length < 4)
        {
            throw new StorageCorruptionException(where, 0, $"a TopN result of {bytes.Length} bytes is shorter than its checksum");
        }

        ReadOnlySpan<byte> body = bytes[..^4];
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]);
        uint actual = Crc32.HashToUInt32(body);
        if (expected != actual)
        {
            throw new StorageCorruptionException(where, body.Length, $"TopN result checksum mismatch: stored {expected:x8}, computed {actual:x8}");
        }

        SpanReader reader = new(body, where, 0);
        byte version = reader.ReadByte();
        if (version != Version)
        {
            throw reader.CorruptAt(0, $"TopN result format version {version}; this build reads {Version}");
        }

        byte type = reader.ReadByte();
        if (type is not (IntType or FloatType))
        {
            throw reader.CorruptAt(1, $"TopN result value type {type} is neither 1 (INT) nor 2 (FLOAT)");
        }

        bool isFloat = type == FloatType;
        int count = reader.ReadLength(MaxItems, "TopN item count");
        TopNItem[] items = new TopNItem[count];
        for (int i = 0; i < count; i++)
        {
            ulong series = reader.ReadUInt64();
            long bits = reader.ReadInt64();
            int entityCount = reader.ReadLength(1024, "TopN entity value count");
            TagValue[] entity = new TagValue[entityCount];
            for (int e = 0; e < entityCount; e++)
            {
                entity[e] = ReadValue(ref reader);
            }

            items[i] = new TopNItem(series, isFloat ? TopNRank.OfFloat(BitConverter.Int64BitsToDouble(bits)) : TopNRank.OfInt(bits), entity);
        }

        reader.EnsureEnd();
        return (items, isFloat);
    }

    private static void WriteValue(ByteBuffer buffer, TagValue value)
    {
        buffer.WriteByte((byte)value.Kind);
        switch (value.Kind)
        {
            case TagValueKind.Null:
                break;
            case TagValueKind.Str:
                buffer.WriteString(value.Text ?? string.Empty);
                break;
            case TagValueKind.Number:
            case TagValueKind.Timestamp:
                buffer.WriteInt64(value.Number);
                break;
            case TagValueKind.Binary:
                buffer.WriteLengthPrefixed(value.Bytes ?? []);
                break;
            case TagValueKind.StrArray:
                buffer.WriteVarUInt64((ulong)value.Strings.Count);
                foreach (string s in value.Strings)
                {
                    buffer.WriteString(s);
                }

                break;
            case TagValueKind.IntArray:
                buffer.WriteVarUInt64((ulong)value.Numbers.Count);
                foreach (long n in value.Numbers)
                {
                    buffer.WriteInt64(n);
                }

                break;
            default:
                throw new ArgumentException($"tag value kind {value.Kind} has no TopN encoding; this is a bug", nameof(value));
        }
    }

    private static TagValue ReadValue(ref SpanReader reader)
    {
        long at = reader.AbsoluteOffset;
        byte kind = reader.ReadByte();
        switch ((TagValueKind)kind)
        {
            case TagValueKind.Null:
                return TagValue.Null;
            case TagValueKind.Str:
                return TagValue.FromString(reader.ReadString());
            case TagValueKind.Number:
                return TagValue.FromInt64(reader.ReadInt64());
            case TagValueKind.Timestamp:
                return TagValue.FromTimestampNanos(reader.ReadInt64());
            case TagValueKind.Binary:
                return TagValue.FromBinary(reader.ReadLengthPrefixed("TopN binary entity value"));
            case TagValueKind.StrArray:
                {
                    int n = reader.ReadLength(reader.Remaining, "TopN string array length");
                    string[] strings = new string[n];
                    for (int i = 0; i < n; i++)
                    {
                        strings[i] = reader.ReadString();
                    }

                    return TagValue.FromStringArray(strings);
                }

            case TagValueKind.IntArray:
                {
                    int n = reader.ReadLength(reader.Remaining / 8, "TopN int array length");
                    long[] numbers = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        numbers[i] = reader.ReadInt64();
                    }

                    return TagValue.FromInt64Array(numbers);
                }

            default:
                throw reader.CorruptAt(at, $"TopN entity value kind {kind} is unknown");
        }
    }
}
