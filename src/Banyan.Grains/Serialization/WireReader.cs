using System.Buffers.Binary;
using System.Text;
using Banyan.Grains.Invocation;

namespace Banyan.Grains.Serialization;

/// <summary>Reads what <see cref="WireWriter"/> wrote; every read is bounds-checked and raises <see cref="WireFormatException"/> on short or bad input.</summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data, GrainReferenceFactory? references)
    {
        _data = data;
        _position = 0;
        References = references;
    }

    /// <summary>Turns decoded grain identities back into references; null where no runtime is at hand.</summary>
    public GrainReferenceFactory? References { get; }

    public readonly int Position => _position;

    public readonly bool End => _position == _data.Length;

    public byte ReadByte()
    {
        Require(1);
        return _data[_position++];
    }

    public int ReadInt32()
    {
        Require(4);
        int value = BinaryPrimitives.ReadInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public long ReadInt64()
    {
        Require(8);
        long value = BinaryPrimitives.ReadInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    public double ReadDouble()
    {
        Require(8);
        double value = BinaryPrimitives.ReadDoubleLittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    public ulong ReadVarUInt()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new WireFormatException($"varint longer than 10 bytes at offset {_position}");
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong length = ReadVarUInt();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new WireFormatException($"length {length} at offset {_position} exceeds the {_data.Length - _position} remaining bytes");
        }

        ReadOnlySpan<byte> value = _data.Slice(_position, (int)length);
        _position += (int)length;
        return value;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    private readonly void Require(int count)
    {
        if (_data.Length - _position < count)
        {
            throw new WireFormatException($"needed {count} bytes at offset {_position}, only {_data.Length - _position} remain");
        }
    }
}
