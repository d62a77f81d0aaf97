using System.Runtime.CompilerServices;

namespace Banyan.Grains.Writes.Wire;

/// <summary>
/// Reads the protobuf wire format over a span without allocating, for the write path's decoders. Deliberately
/// narrower than Google.Protobuf's parser: every method answers false where the bytes are malformed <i>or merely
/// unusual</i> (a tag or length longer than 5 bytes, a group, a varint whose tenth byte overflows), so a caller that
/// gets true throughout knows Google.Protobuf would read the same bytes the same way, and a caller that gets false
/// hands the message to Google.Protobuf, which decides.
/// </summary>
public ref struct ProtobufWireReader(ReadOnlySpan<byte> data)
{
    /// <summary>Wire type of varints.</summary>
    public const int Varint = 0;

    /// <summary>Wire type of 8-byte values (double, fixed64).</summary>
    public const int Fixed64 = 1;

    /// <summary>Wire type of length-delimited values (strings, bytes, messages, packed repeated scalars).</summary>
    public const int LengthDelimited = 2;

    /// <summary>Wire type of 4-byte values (float, fixed32).</summary>
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    /// <summary>Where the next read starts.</summary>
    public readonly int Position => _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>The next field's number and wire type; false for a malformed tag, field number 0 or a group.</summary>
    /// <remarks>
    /// This and the other one-byte fast paths are inlined into the decoders (about 5 % of a running silo's write-phase
    /// samples were this method's own before): fields 1-15 take one byte, every field of the write path's messages.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTag(out int field, out int wireType)
    {
        int at = _position;
        if ((uint)at < (uint)_data.Length)
        {
            uint oneByte = _data[at];
            if (oneByte < 0x80)
            {
                _position = at + 1;
                field = (int)(oneByte >> 3);
                wireType = (int)(oneByte & 7);
                return oneByte >= 8 && IsKnownWireType(wireType);
            }
        }

        return TryReadLongTag(out field, out wireType);
    }

    /// <summary>A varint of at most 10 bytes whose value fits 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadVarint(out ulong value)
    {
        // Most varints on the write path (lengths, small numbers) are one byte.
        int at = _position;
        if ((uint)at < (uint)_data.Length && _data[at] < 0x80)
        {
            value = _data[at];
            _position = at + 1;
            return true;
        }

        return TryReadLongVarint(out value);
    }

    // Wire types 0, 1, 2 and 5: not the groups (3, 4) nor the undefined 6 and 7.
    private static bool IsKnownWireType(int wireType) => ((0b100111 >> wireType) & 1) != 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReadLongTag(out int field, out int wireType)
    {
        field = 0;
        wireType = 0;
        int start = _position;
        if (!TryReadLongVarint(out ulong tag) || _position - start > 5 || tag > uint.MaxValue)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return field > 0 && IsKnownWireType(wireType);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReadLongVarint(out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                return false;
            }

            byte b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An 8-byte little-endian value.</summary>
    public bool TryReadFixed64(out ulong value)
    {
        value = 0;
        if (_data.Length - _position < 8)
        {
            return false;
        }

        value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return true;
    }

    /// <summary>A length-delimited value: where its bytes start and how many there are (all within the data).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadLengthDelimited(out int start, out int length)
    {
        // A length below 128 takes one byte: every string, tag and value of the write path's messages.
        int at = _position;
        if ((uint)at < (uint)_data.Length)
        {
            int oneByte = _data[at];
            if (oneByte < 0x80 && oneByte <= _data.Length - at - 1)
            {
                start = at + 1;
                length = oneByte;
                _position = start + oneByte;
                return true;
            }
        }

        return TryReadLongLengthDelimited(out start, out length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReadLongLengthDelimited(out int start, out int length)
    {
        start = 0;
        length = 0;
        int lengthStart = _position;
        if (!TryReadVarint(out ulong declared) || _position - lengthStart > 5 || declared > (ulong)(_data.Length - _position))
        {
            return false;
        }

        start = _position;
        length = (int)declared;
        _position += length;
        return true;
    }

    /// <summary>Continues reading at <paramref name="position"/>, a place within the data that fields were read up to.</summary>
    public void MoveTo(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, _data.Length);
        _position = position;
    }

    /// <summary>Steps over a value of <paramref name="wireType"/> (one <see cref="TryReadTag"/> returned).</summary>
    public bool TrySkip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                return TryReadVarint(out _);
            case Fixed64:
                return TryReadFixed64(out _);
            case LengthDelimited:
                return TryReadLengthDelimited(out _, out _);
            case Fixed32:
                if (_data.Length - _position < 4)
                {
                    return false;
                }

                _position += 4;
                return true;
            default:
                return false;
        }
    }
}
