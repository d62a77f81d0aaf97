using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Banyan.Storage.Encodings;

/// <summary>
/// Reads encoded values from a span with bounds checks. Every out-of-range read throws
/// <see cref="StorageCorruptionException"/> with the offset inside the span, so a decoder fed
/// random bytes can only fail with the corruption exception.
/// </summary>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Starts reading at the beginning of <paramref name="data"/>.</summary>
    public SpanReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>The unread bytes.</summary>
    public readonly ReadOnlySpan<byte> RemainingSpan => _data[_position..];

    /// <summary>Reads one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if ((uint)_position >= (uint)_data.Length)
        {
            EncodingCorruption.Throw(_position, "unexpected end of data");
        }

        return _data[_position++];
    }

    /// <summary>Reads an unsigned LEB128 varint.</summary>
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
                EncodingCorruption.Throw(start, "truncated varint");
            }

            byte b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                EncodingCorruption.Throw(start, "varint overflows 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            shift += 7;
            if (shift > 63)
            {
                EncodingCorruption.Throw(start, "varint longer than 10 bytes");
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
            EncodingCorruption.Throw(start, $"length {value} exceeds the limit {max}");
        }

        return (int)value;
    }

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
            EncodingCorruption.Throw(_position, $"need {count} bytes, {_data.Length - _position} left");
        }

        ReadOnlySpan<byte> span = _data.Slice(_position, count);
        _position += count;
        return span;
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
            EncodingCorruption.Throw(start, "invalid UTF-8 in string");
            return string.Empty;
        }
    }

    private static readonly System.Text.UTF8Encoding s_strictUtf8 = new(false, true);

    /// <summary>Fails unless every byte was consumed.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _data.Length)
        {
            EncodingCorruption.Throw(_position, $"{_data.Length - _position} unexpected trailing bytes");
        }
    }
}
