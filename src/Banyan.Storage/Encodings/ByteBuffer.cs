using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Banyan.Storage.Encodings;

/// <summary>
/// A growable byte buffer the encoders append to. Reused across blocks (call <see cref="Clear"/>),
/// so steady-state encoding allocates nothing; the backing array comes from <see cref="ArrayPool{T}"/>.
/// </summary>
public sealed class ByteBuffer : IDisposable
{
    private byte[] _buffer;

    /// <summary>Creates a buffer with room for <paramref name="initialCapacity"/> bytes.</summary>
    public ByteBuffer(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Number of bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    /// <summary>The bytes written so far, as memory.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    /// <summary>Forgets the content, keeps the capacity.</summary>
    public void Clear() => Length = 0;

    /// <summary>Returns a span of at least <paramref name="size"/> writable bytes at the end; call <see cref="Advance"/> after.</summary>
    public Span<byte> GetSpan(int size)
    {
        Ensure(size);
        return _buffer.AsSpan(Length);
    }

    /// <summary>Marks <paramref name="count"/> bytes obtained from <see cref="GetSpan"/> as written.</summary>
    public void Advance(int count) => Length += count;

    /// <summary>Truncates to <paramref name="length"/> bytes.</summary>
    public void SetLength(int length) => Length = length;

    /// <summary>Appends one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (Length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[Length++] = value;
    }

    /// <summary>Appends bytes.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        Ensure(data.Length);
        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
    }

    /// <summary>Appends an unsigned LEB128 varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarUInt64(ulong value)
    {
        Ensure(10);
        Length += VarInt.Write(_buffer.AsSpan(Length), value);
    }

    /// <summary>Appends a zigzag LEB128 varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarInt64(long value) => WriteVarUInt64(VarInt.ZigZag(value));

    /// <summary>Appends a little-endian u16.</summary>
    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(Length), value);
        Length += 2;
    }

    /// <summary>Appends a little-endian u32.</summary>
    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    /// <summary>Appends a little-endian u64.</summary>
    public void WriteUInt64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(Length), value);
        Length += 8;
    }

    /// <summary>Appends a little-endian i64.</summary>
    public void WriteInt64(long value) => WriteUInt64((ulong)value);

    /// <summary>Appends a varint length then the UTF-8 bytes of <paramref name="value"/>.</summary>
    public void WriteString(string value)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(max + 10);
        int count = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteVarUInt64((ulong)count);
        Length += System.Text.Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    /// <summary>Overwrites a little-endian u32 at <paramref name="position"/>.</summary>
    public void PatchUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(position), value);

    /// <summary>Overwrites one byte at <paramref name="position"/>.</summary>
    public void PatchByte(int position, byte value) => _buffer[position] = value;

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        Length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Makes room for <paramref name="size"/> more bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ensure(int size)
    {
        if (_buffer.Length - Length < size)
        {
            Grow(size);
        }
    }

    private void Grow(int size)
    {
        int newSize = Math.Max(_buffer.Length * 2, Length + size);
        byte[] next = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, Length).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
    }
}
