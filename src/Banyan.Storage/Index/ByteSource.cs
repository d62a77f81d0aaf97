using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Banyan.Storage.Index;

/// <summary>
/// A bounds-checked reader over index bytes. Every read that would leave the span, and every
/// malformed varint, throws <see cref="StorageCorruptionException"/> with the file and the absolute
/// offset, so a damaged file can never crash or hang a reader.
/// </summary>
internal ref struct ByteSource
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _file;
    private readonly long _baseOffset;

    public ByteSource(ReadOnlySpan<byte> data, string file, long baseOffset)
    {
        _data = data;
        _file = file;
        _baseOffset = baseOffset;
        Position = 0;
    }

    public int Position { get; set; }

    public readonly int Remaining => _data.Length - Position;

    public readonly long AbsoluteOffset => _baseOffset + Position;

    public readonly bool AtEnd => Position >= _data.Length;

    public byte ReadByte()
    {
        Need(1);
        return _data[Position++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        ushort v = BinaryPrimitives.ReadUInt16LittleEndian(_data[Position..]);
        Position += 2;
        return v;
    }

    public uint ReadUInt32()
    {
        Need(4);
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data[Position..]);
        Position += 4;
        return v;
    }

    public ulong ReadUInt64()
    {
        Need(8);
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]);
        Position += 8;
        return v;
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

        throw Corrupt("varint longer than 10 bytes");
    }

    /// <summary>A varint that must fit a non-negative int no larger than <paramref name="max"/>.</summary>
    public int ReadVarInt(int max, string what)
    {
        long at = AbsoluteOffset;
        ulong v = ReadVarUInt();
        if (v > (ulong)max)
        {
            throw new StorageCorruptionException(_file, at, $"{what} is {v}, larger than the allowed {max}");
        }

        return (int)v;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Need(count);
        ReadOnlySpan<byte> s = _data.Slice(Position, count);
        Position += count;
        return s;
    }

    public ReadOnlySpan<byte> ReadLengthPrefixed(string what) => ReadBytes(ReadVarInt(Remaining, what + " length"));

    public readonly StorageCorruptionException Corrupt(string detail) => new(_file, AbsoluteOffset, detail);

    public readonly StorageCorruptionException CorruptAt(long absoluteOffset, string detail) => new(_file, absoluteOffset, detail);

    private readonly void Need(int count)
    {
        if (count < 0 || count > _data.Length - Position)
        {
            ThrowTruncated(count);
        }
    }

    [DoesNotReturn]
    private readonly void ThrowTruncated(int count) =>
        throw new StorageCorruptionException(_file, AbsoluteOffset, $"needs {count} more bytes but only {_data.Length - Position} remain");
}
