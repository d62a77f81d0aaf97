using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Banyan.Storage.Bytes;

/// <summary>
/// The one growable byte writer of the engine (in the manner of Prometheus' <c>encoding.Encbuf</c>):
/// little-endian fixed-width integers, LEB128 varints, length-prefixed bytes and strings, written into
/// an array rented from <see cref="ArrayPool{T}"/>. It is an <see cref="IBufferWriter{T}"/>, so codecs
/// that take a buffer writer (compressors, serializers) write straight into it. Reused across blocks
/// and files (call <see cref="Clear"/>), so steady-state encoding allocates nothing; <see cref="Dispose"/>
/// returns the array to the pool.
/// </summary>
public sealed class ByteBuffer : IBufferWriter<byte>, IDisposable
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

    /// <summary>A copy of the bytes written so far.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Returns a span of at least <paramref name="sizeHint"/> (at least 1) writable bytes at the end; call <see cref="Advance"/> after.</summary>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsSpan(Length);
    }

    /// <summary>Returns memory of at least <paramref name="sizeHint"/> (at least 1) writable bytes at the end; call <see cref="Advance"/> after.</summary>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsMemory(Length);
    }

    /// <summary>Marks <paramref name="count"/> bytes obtained from <see cref="GetSpan"/> or <see cref="GetMemory"/> as written.</summary>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - Length))
        {
            ThrowAdvance(count);
        }

        Length += count;
    }

    /// <summary>Truncates to <paramref name="length"/> bytes.</summary>
    public void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)Length, nameof(length));
        Length = length;
    }

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
        Ensure(VarInt.MaxLength);
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

    /// <summary>Appends a varint length then the bytes.</summary>
    public void WriteLengthPrefixed(ReadOnlySpan<byte> value)
    {
        WriteVarUInt64((ulong)value.Length);
        Write(value);
    }

    /// <summary>Appends the UTF-8 bytes of <paramref name="value"/> (no length).</summary>
    public void WriteUtf8(string value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length));
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    /// <summary>Appends a varint length then the UTF-8 bytes of <paramref name="value"/>.</summary>
    public void WriteString(string value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length) + VarInt.MaxLength);
        int count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt64((ulong)count);
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    /// <summary>Overwrites a little-endian u32 at <paramref name="position"/> (already written).</summary>
    public void PatchUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(0, Length)[position..], value);

    /// <summary>Removes <paramref name="count"/> written bytes at <paramref name="position"/>, moving the bytes after them down.</summary>
    public void RemoveRange(int position, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)position, (uint)Length, nameof(position));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)(Length - position), nameof(count));
        _buffer.AsSpan(position + count, Length - position - count).CopyTo(_buffer.AsSpan(position));
        Length -= count;
    }

    /// <summary>Overwrites one byte at <paramref name="position"/> (already written).</summary>
    public void PatchByte(int position, byte value) => _buffer.AsSpan(0, Length)[position] = value;

    /// <summary>Returns the array to the pool; the buffer is empty and unusable afterwards.</summary>
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
        int newSize = (int)Math.Min(Array.MaxLength, Math.Max(_buffer.Length * 2L, (long)Length + size));
        byte[] next = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, Length).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowAdvance(int count) =>
        throw new ArgumentOutOfRangeException(nameof(count), count, $"bug: advancing {count} bytes past the {_buffer.Length - Length} obtained");
}
