using System.Runtime.CompilerServices;

namespace Banyan.Storage.Bytes;

/// <summary>
/// LEB128 varints (7 bits per byte, low group first, high bit = more bytes follow) and zigzag
/// mapping of signed values (0, -1, 1, -2, ... to 0, 1, 2, 3, ...), as in protobuf.
/// </summary>
public static class VarInt
{
    /// <summary>Largest encoded size of a 64-bit varint.</summary>
    public const int MaxLength = 10;

    /// <summary>Zigzag-maps a signed value so small magnitudes give small unsigned values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>Inverse of <see cref="ZigZag"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Number of bytes <paramref name="value"/> takes as a varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(ulong value) => 1 + ((63 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7);

    /// <summary>Writes <paramref name="value"/> to the start of <paramref name="destination"/>, which must hold its <see cref="SizeOf"/> bytes (at most <see cref="MaxLength"/>); returns that size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
