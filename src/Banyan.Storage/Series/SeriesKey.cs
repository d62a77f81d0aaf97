using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Banyan.Storage.Values;

namespace Banyan.Storage.Series;

/// <summary>
/// The series key: the byte string whose xxHash64 is the series id, laid out exactly as BanyanDB's
/// <c>Series.Marshal</c> does so that ids match upstream.
/// </summary>
/// <remarks>
/// Layout: <c>escape(subject) '|'</c>, then per entity tag <c>type-byte escape(value) '|'</c>, where
/// <c>escape</c> puts a <c>'\'</c> before every <c>'|'</c> and <c>'\'</c>. Strings are their UTF-8 bytes,
/// binary values their bytes, int64 values (and timestamps, as epoch nanoseconds) 8-byte big-endian
/// zigzag. A null value is only its type byte 0 and the separator. Because the layout is
/// self-delimiting, a key also serves the series index: it sorts entities by subject and then tag by
/// tag (so a prefix of entity values is a key prefix), and it decodes back to the entity values.
/// </remarks>
public static class SeriesKey
{
    private const byte Delimiter = (byte)'|';
    private const byte Escape = (byte)'\\';

    /// <summary>Encodes the key of <paramref name="subject"/> with <paramref name="entity"/> values.</summary>
    /// <exception cref="ArgumentException">An entity value is an array (BanyanDB entities are scalars).</exception>
    public static byte[] Encode(string subject, IReadOnlyList<TagValue> entity)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(entity);
        var buffer = new List<byte>(subject.Length + 2 + (entity.Count * 12));
        AppendEscaped(buffer, Encoding.UTF8.GetBytes(subject));
        for (int i = 0; i < entity.Count; i++)
        {
            AppendTagValue(buffer, entity[i], i);
        }

        return [.. buffer];
    }

    /// <summary>Encodes only the subject and the first <paramref name="count"/> entity values: a key prefix for prefix lookups.</summary>
    public static byte[] EncodePrefix(string subject, IReadOnlyList<TagValue> entity, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, entity.Count);
        var buffer = new List<byte>();
        AppendEscaped(buffer, Encoding.UTF8.GetBytes(subject));
        for (int i = 0; i < count; i++)
        {
            AppendTagValue(buffer, entity[i], i);
        }

        return [.. buffer];
    }

    /// <summary>The series id of <paramref name="subject"/> with <paramref name="entity"/>: xxHash64 (seed 0) of the key.</summary>
    public static ulong ComputeSeriesId(string subject, IReadOnlyList<TagValue> entity) => XxHash64.HashToUInt64(Encode(subject, entity));

    /// <summary>Decodes a key produced by <see cref="Encode"/> back into its subject and entity values.</summary>
    /// <exception cref="FormatException">The bytes are not a well-formed series key.</exception>
    public static (string Subject, TagValue[] Entity) Decode(ReadOnlySpan<byte> key)
    {
        var scratch = new List<byte>();
        int pos = ReadEscaped(key, 0, scratch);
        string subject = Encoding.UTF8.GetString(scratch.ToArray());
        var values = new List<TagValue>();
        while (pos < key.Length)
        {
            var kind = (TagValueKind)key[pos++];
            scratch.Clear();
            pos = ReadEscaped(key, pos, scratch);
            byte[] raw = [.. scratch];
            values.Add(kind switch
            {
                TagValueKind.Null => raw.Length == 0 ? TagValue.Null : throw new FormatException("null entity value carries bytes"),
                TagValueKind.Str => TagValue.FromString(Encoding.UTF8.GetString(raw)),
                TagValueKind.Binary => TagValue.FromBinary(raw),
                TagValueKind.Number => TagValue.FromInt64(ReadZigZag(raw)),
                TagValueKind.Timestamp => TagValue.FromTimestampNanos(ReadZigZag(raw)),
                _ => throw new FormatException($"unknown entity value type byte {(byte)kind}"),
            });
        }

        return (subject, [.. values]);
    }

    private static long ReadZigZag(byte[] raw)
    {
        if (raw.Length != 8)
        {
            throw new FormatException($"int entity value has {raw.Length} bytes, expected 8");
        }

        ulong z = BinaryPrimitives.ReadUInt64BigEndian(raw);
        return (long)(z >> 1) ^ -(long)(z & 1);
    }

    private static void AppendTagValue(List<byte> buffer, TagValue value, int index)
    {
        Span<byte> number = stackalloc byte[8];
        switch (value.Kind)
        {
            case TagValueKind.Null:
                buffer.Add((byte)TagValueKind.Null);
                buffer.Add(Delimiter);
                break;
            case TagValueKind.Str:
                buffer.Add((byte)TagValueKind.Str);
                AppendEscaped(buffer, Encoding.UTF8.GetBytes(value.Text!));
                break;
            case TagValueKind.Binary:
                buffer.Add((byte)TagValueKind.Binary);
                AppendEscaped(buffer, value.Bytes!);
                break;
            case TagValueKind.Number:
            case TagValueKind.Timestamp:
                buffer.Add((byte)value.Kind);
                ulong zigzag = (ulong)((value.Number << 1) ^ (value.Number >> 63));
                BinaryPrimitives.WriteUInt64BigEndian(number, zigzag);
                AppendEscaped(buffer, number);
                break;
            default:
                throw new ArgumentException($"entity value {index} is a {value.Kind}; entity tags must be scalar", nameof(value));
        }
    }

    private static void AppendEscaped(List<byte> buffer, ReadOnlySpan<byte> src)
    {
        foreach (byte b in src)
        {
            if (b is Delimiter or Escape)
            {
                buffer.Add(Escape);
            }

            buffer.Add(b);
        }

        buffer.Add(Delimiter);
    }

    private static int ReadEscaped(ReadOnlySpan<byte> key, int pos, List<byte> into)
    {
        while (pos < key.Length)
        {
            byte b = key[pos++];
            if (b == Delimiter)
            {
                return pos;
            }

            if (b == Escape)
            {
                if (pos >= key.Length)
                {
                    throw new FormatException("series key ends inside an escape");
                }

                b = key[pos++];
            }

            into.Add(b);
        }

        throw new FormatException("series key value has no terminating '|'");
    }
}
