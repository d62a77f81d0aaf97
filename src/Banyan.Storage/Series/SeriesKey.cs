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

    // Keys are built in a per-thread buffer: computing a series id (every write of every point) then allocates nothing.
    [ThreadStatic]
    private static byte[]? s_threadBuffer;

    /// <summary>Encodes the key of <paramref name="subject"/> with <paramref name="entity"/> values.</summary>
    /// <exception cref="ArgumentException">An entity value is an array (BanyanDB entities are scalars).</exception>
    public static byte[] Encode(string subject, IReadOnlyList<TagValue> entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return EncodePrefix(subject, entity, entity.Count);
    }

    /// <summary>Encodes only the subject and the first <paramref name="count"/> entity values: a key prefix for prefix lookups.</summary>
    public static byte[] EncodePrefix(string subject, IReadOnlyList<TagValue> entity, int count)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, entity.Count);
        return Write(subject, entity, count).ToArray();
    }

    /// <summary>The series id of <paramref name="subject"/> with <paramref name="entity"/>: xxHash64 (seed 0) of the key.</summary>
    public static ulong ComputeSeriesId(string subject, IReadOnlyList<TagValue> entity)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(entity);
        return XxHash64.HashToUInt64(Write(subject, entity, entity.Count));
    }

    // The key in the thread's buffer (valid until the thread's next call).
    private static ReadOnlySpan<byte> Write(string subject, IReadOnlyList<TagValue> entity, int count)
    {
        var writer = new KeyWriter(s_threadBuffer ??= new byte[256]);
        writer.AppendUtf8Escaped(subject);
        Span<byte> number = stackalloc byte[8];
        for (int i = 0; i < count; i++)
        {
            TagValue value = entity[i];
            switch (value.Kind)
            {
                case TagValueKind.Null:
                    writer.Append((byte)TagValueKind.Null);
                    writer.Append(Delimiter);
                    break;
                case TagValueKind.Str:
                    writer.Append((byte)TagValueKind.Str);
                    writer.AppendUtf8Escaped(value.Text!);
                    break;
                case TagValueKind.Binary:
                    writer.Append((byte)TagValueKind.Binary);
                    writer.AppendEscaped(value.Bytes!);
                    break;
                case TagValueKind.Number:
                case TagValueKind.Timestamp:
                    writer.Append((byte)value.Kind);
                    BinaryPrimitives.WriteUInt64BigEndian(number, (ulong)((value.Number << 1) ^ (value.Number >> 63)));
                    writer.AppendEscaped(number);
                    break;
                default:
                    throw new ArgumentException($"entity value {i} is a {value.Kind}; entity tags must be scalar", nameof(entity));
            }
        }

        s_threadBuffer = writer.Buffer;
        return writer.Written;
    }

    /// <summary>Decodes a key produced by <see cref="Encode"/> back into its subject and entity values.</summary>
    /// <exception cref="FormatException">The bytes are not a well-formed series key.</exception>
    public static (string Subject, TagValue[] Entity) Decode(ReadOnlySpan<byte> key)
    {
        // Values without an escaped byte (the usual case) are read straight from the key; an escaped one is copied
        // without its escapes first. The series index decodes a key per series a query selects, so this is a hot path.
        var scratch = new List<byte>();
        int pos = ReadValue(key, 0, scratch, out ReadOnlySpan<byte> raw);
        string subject = Encoding.UTF8.GetString(raw);
        var values = new List<TagValue>();
        while (pos < key.Length)
        {
            var kind = (TagValueKind)key[pos++];
            pos = ReadValue(key, pos, scratch, out raw);
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

    // The unescaped bytes of the value at pos (a slice of the key, or of scratch when it held escapes) and the position
    // after its delimiter.
    private static int ReadValue(ReadOnlySpan<byte> key, int pos, List<byte> scratch, out ReadOnlySpan<byte> value)
    {
        int length = key[pos..].IndexOfAny(Delimiter, Escape);
        if (length >= 0 && key[pos + length] == Delimiter)
        {
            value = key.Slice(pos, length);
            return pos + length + 1;
        }

        scratch.Clear();
        int next = ReadEscaped(key, pos, scratch);
        value = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch);
        return next;
    }

    private static long ReadZigZag(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != 8)
        {
            throw new FormatException($"int entity value has {raw.Length} bytes, expected 8");
        }

        ulong z = BinaryPrimitives.ReadUInt64BigEndian(raw);
        return (long)(z >> 1) ^ -(long)(z & 1);
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

    // Appends key bytes to a growable buffer, escaping '|' and '\\' by runs rather than byte by byte.
    private struct KeyWriter(byte[] buffer)
    {
        private int _length;

        public byte[] Buffer { get; private set; } = buffer;

        public readonly ReadOnlySpan<byte> Written => Buffer.AsSpan(0, _length);

        public void Append(byte value)
        {
            Ensure(1);
            Buffer[_length++] = value;
        }

        public void AppendUtf8Escaped(string text)
        {
            int max = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (max <= 512)
            {
                Span<byte> utf8 = stackalloc byte[max];
                AppendEscaped(utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
            }
            else
            {
                AppendEscaped(Encoding.UTF8.GetBytes(text));
            }
        }

        public void AppendEscaped(ReadOnlySpan<byte> source)
        {
            while (true)
            {
                int special = source.IndexOfAny(Delimiter, Escape);
                ReadOnlySpan<byte> run = special < 0 ? source : source[..special];
                Ensure(run.Length + 2);
                run.CopyTo(Buffer.AsSpan(_length));
                _length += run.Length;
                if (special < 0)
                {
                    Buffer[_length++] = Delimiter;
                    return;
                }

                Buffer[_length++] = Escape;
                Buffer[_length++] = source[special];
                source = source[(special + 1)..];
            }
        }

        private void Ensure(int more)
        {
            if (_length + more > Buffer.Length)
            {
                byte[] grown = new byte[Math.Max(Buffer.Length * 2, _length + more)];
                Buffer.AsSpan(0, _length).CopyTo(grown);
                Buffer = grown;
            }
        }
    }
}
