using System.Buffers.Binary;

namespace Banyan.Grains.Queries;

/// <summary>
/// Writes protobuf's wire format into a growing array: tags, varints, fixed64 values, length-prefixed bytes, and nested
/// messages whose length is known only once their fields are written (<see cref="BeginMessage"/> keeps one byte for the
/// length and <see cref="EndMessage"/> moves the fields up when the length needs more). Fields are written in the order
/// given; the caller follows protobuf's rules (field-number order, default values left out).
/// </summary>
internal sealed class ProtoBytesWriter(int capacity = 1024)
{
    /// <summary>Wire type of varints.</summary>
    public const int Varint = 0;

    /// <summary>Wire type of fixed 64-bit values.</summary>
    public const int Fixed64 = 1;

    /// <summary>Wire type of length-delimited values (bytes, strings, messages).</summary>
    public const int LengthDelimited = 2;

    private byte[] _buffer = new byte[Math.Max(16, capacity)];
    private int _length;

    /// <summary>The bytes written.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>A field's tag.</summary>
    public void Tag(int field, int wireType) => WriteVarint((ulong)(uint)((field << 3) | wireType));

    /// <summary>A varint (negative int64 values as ten bytes, as protobuf writes them).</summary>
    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    /// <summary>A fixed 64-bit value, little-endian.</summary>
    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Length-prefixed bytes (a string's UTF-8 or a bytes field).</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Starts a nested message (after its tag); returns where its fields start, for <see cref="EndMessage"/>.</summary>
    public int BeginMessage()
    {
        Ensure(1);
        _length++;
        return _length;
    }

    /// <summary>Ends the nested message begun at <paramref name="start"/>: its length goes before its fields.</summary>
    public void EndMessage(int start)
    {
        int size = _length - start;
        int prefix = VarintSize((ulong)size);
        if (prefix > 1)
        {
            Ensure(prefix - 1);
            _buffer.AsSpan(start, size).CopyTo(_buffer.AsSpan(start + prefix - 1));
            _length += prefix - 1;
        }

        ulong value = (ulong)size;
        int at = start - 1;
        while (value >= 0x80)
        {
            _buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[at] = (byte)value;
    }

    private static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
