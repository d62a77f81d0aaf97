using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Banyan.Storage.Bytes;

/// <summary>
/// The one byte reader of the engine (in the manner of Prometheus' <c>encoding.Decbuf</c>): reads
/// fixed-width little-endian integers, LEB128 varints, lengths and strings from a span with a bounds
/// check on every read. Anything out of range raises <see cref="StorageCorruptionException"/> naming
/// <see cref="File"/> and the absolute offset (<c>baseOffset</c> + position), so a decoder fed random
/// bytes can only fail with the corruption exception, never crash or loop.
/// </summary>
/// <remarks>
/// Decoders of compressed frames see only the decompressed payload; they read with the default
/// source <see cref="EncodingCorruption.Source"/>, and the part reader rethrows with the file and the
/// frame's offset.
/// </remarks>
public ref struct SpanReader
{
    private static readonly System.Text.UTF8Encoding s_strictUtf8 = new(false, true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly string _file;
    private readonly long _baseOffset;
    private int _position;

    /// <summary>Reads <paramref name="data"/>, reporting errors against <see cref="EncodingCorruption.Source"/> at offsets within the span.</summary>
    public SpanReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _file = EncodingCorruption.Source;
        _baseOffset = 0;
        _position = 0;
    }

    /// <summary>Reads <paramref name="data"/>, which starts at <paramref name="baseOffset"/> of <paramref name="file"/>.</summary>
    public SpanReader(ReadOnlySpan<byte> data, string file, long baseOffset)
    {
        _data = data;
        _file = file;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>The file named in errors.</summary>
    public readonly string File => _file;

    /// <summary>Offset of the next byte to read, within the span.</summary>
    public int Position
    {
        readonly get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)value, (uint)_data.Length, nameof(value));
            _position = value;
        }
    }

    /// <summary>Offset of the next byte to read, within the file.</summary>
    public readonly long AbsoluteOffset => _baseOffset + _position;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>True when every byte was read.</summary>
    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>The unread bytes.</summary>
    public readonly ReadOnlySpan<byte> RemainingSpan => _data[_position..];

    /// <summary>Reads one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if ((uint)_position >= (uint)_data.Length)
        {
            ThrowAt(_position, "unexpected end of data");
        }

        return _data[_position++];
    }

    /// <summary>Reads an unsigned LEB128 varint (at most 10 bytes, at most 64 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarUInt64()
    {
        ReadOnlySpan<byte> data = _data;
        int position = _position;
        if ((uint)position < (uint)data.Length && data[position] < 0x80)
        {
            _position = position + 1;
            return data[position];
        }

        return ReadVarUInt64Slow();
    }

    private ulong ReadVarUInt64Slow()
    {
        ulong result = 0;
        int shift = 0;
        int start = _position;
        while (true)
        {
            if ((uint)_position >= (uint)_data.Length)
            {
                ThrowAt(start, "truncated varint");
            }

            byte b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                ThrowAt(start, "varint overflows 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            shift += 7;
            if (shift > 63)
            {
                ThrowAt(start, "varint longer than 10 bytes");
            }
        }
    }

    /// <summary>Reads a zigzag varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadVarInt64() => VarInt.UnZigZag(ReadVarUInt64());

    /// <summary>Reads a varint that must be a count or length no larger than <paramref name="max"/>.</summary>
    public int ReadLength(int max)
    {
        int start = _position;
        ulong value = ReadVarUInt64();
        if (value > (ulong)max)
        {
            ThrowAt(start, $"length {value} exceeds the limit {max}");
        }

        return (int)value;
    }

    /// <summary>Reads a varint that must be a non-negative int no larger than <paramref name="max"/>; <paramref name="what"/> names it in the error.</summary>
    public int ReadLength(int max, string what)
    {
        int start = _position;
        ulong value = ReadVarUInt64();
        if (value > (ulong)max)
        {
            ThrowAt(start, $"{what} is {value}, larger than the allowed {max}");
        }

        return (int)value;
    }

    /// <summary>Reads a little-endian u16.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2));

    /// <summary>Reads a little-endian u32.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4));

    /// <summary>Reads a little-endian u64.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8));

    /// <summary>Reads a little-endian i64.</summary>
    public long ReadInt64() => (long)ReadUInt64();

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            ThrowAt(_position, $"need {count} bytes, {_data.Length - _position} left");
        }

        ReadOnlySpan<byte> span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    /// <summary>Reads a varint length then that many bytes; <paramref name="what"/> names them in the error.</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed(string what)
    {
        // The error's wording is made only on the error: this runs for every value of every entity a TopN query reads.
        int start = _position;
        ulong value = ReadVarUInt64();
        if (value > (ulong)Remaining)
        {
            ThrowAt(start, $"{what} length is {value}, larger than the allowed {Remaining}");
        }

        return ReadSpan((int)value);
    }

    /// <summary>Reads a varint length then that many UTF-8 bytes as a string.</summary>
    public string ReadString(int maxBytes = 1 << 20)
    {
        int length = ReadLength(maxBytes);
        int start = _position;
        ReadOnlySpan<byte> bytes = ReadSpan(length);
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            ThrowAt(start, "invalid UTF-8 in string");
            return string.Empty;
        }
    }

    /// <summary>Fails unless every byte was consumed.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _data.Length)
        {
            ThrowAt(_position, $"{_data.Length - _position} unexpected trailing bytes");
        }
    }

    /// <summary>The corruption error for the current position (for checks a caller makes on what it read).</summary>
    public readonly StorageCorruptionException Corrupt(string detail) => new(_file, AbsoluteOffset, detail);

    /// <summary>The corruption error for <paramref name="absoluteOffset"/> of the file.</summary>
    public readonly StorageCorruptionException CorruptAt(long absoluteOffset, string detail) => new(_file, absoluteOffset, detail);

    [DoesNotReturn]
    private readonly void ThrowAt(int position, string detail) => throw new StorageCorruptionException(_file, _baseOffset + position, detail);
}
