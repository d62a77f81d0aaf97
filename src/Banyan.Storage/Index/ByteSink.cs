using System.Buffers.Binary;
using Banyan.Storage.Encodings;

namespace Banyan.Storage.Index;

/// <summary>A growable byte buffer with the little-endian and varint writes the index formats use.</summary>
internal sealed class ByteSink
{
    private byte[] _buffer;

    public ByteSink(int capacity = 256) => _buffer = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    public void Clear() => Length = 0;

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        Span<byte> span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    public void WriteUtf8(string value)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        int start = Length;
        Span<byte> span = Reserve(max);
        int written = System.Text.Encoding.UTF8.GetBytes(value, span);
        Length = start + written;
    }

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    /// <summary>Unsigned LEB128: 7 bits per byte, low bits first, high bit set on all but the last byte.</summary>
    public void WriteVarUInt(ulong value) => VarInt.Write(Reserve(VarInt.SizeOf(value)), value);

    /// <summary>A varint length followed by the bytes.</summary>
    public void WriteLengthPrefixed(ReadOnlySpan<byte> value)
    {
        WriteVarUInt((ulong)value.Length);
        WriteBytes(value);
    }

    public void PatchUInt32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(offset, 4), value);
}
