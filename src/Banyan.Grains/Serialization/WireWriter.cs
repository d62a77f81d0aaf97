using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Banyan.Grains.Serialization;

/// <summary>
/// Appends little-endian primitives, varint lengths and UTF-8 strings to a growing buffer.
/// One writer is reused per thread (see <see cref="Rent"/>) so a call allocates only its final byte array.
/// </summary>
internal sealed class WireWriter
{
    [ThreadStatic]
    private static WireWriter? s_cached;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public static WireWriter Rent()
    {
        WireWriter writer = s_cached ?? new WireWriter();
        s_cached = null;
        writer._buffer.ResetWrittenCount();
        return writer;
    }

    public static void Return(WireWriter writer)
    {
        // Do not keep huge buffers (e.g. after a 1 MiB payload) alive per thread.
        if (writer._buffer.Capacity <= 1 << 16)
        {
            s_cached = writer;
        }
    }

    public int Length => _buffer.WrittenCount;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteVarUInt(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void WriteString(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> span = _buffer.GetSpan(max + 5);
        int written = Encoding.UTF8.GetBytes(value, span[5..]);
        // Length first: re-encode the varint in place and move the bytes next to it.
        int lengthBytes = 0;
        uint length = (uint)written;
        Span<byte> header = stackalloc byte[5];
        while (length >= 0x80)
        {
            header[lengthBytes++] = (byte)(length | 0x80);
            length >>= 7;
        }

        header[lengthBytes++] = (byte)length;
        span.Slice(5, written).CopyTo(span[lengthBytes..]);
        header[..lengthBytes].CopyTo(span);
        _buffer.Advance(lengthBytes + written);
    }

    public Span<byte> GetSpan(int size) => _buffer.GetSpan(size);

    public void Advance(int count) => _buffer.Advance(count);
}
