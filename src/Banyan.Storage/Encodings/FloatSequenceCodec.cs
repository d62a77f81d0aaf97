using System.Buffers;
using System.Runtime.InteropServices;
using Banyan.Storage.Bytes;

namespace Banyan.Storage.Encodings;

/// <summary>
/// Encodes float64 sequences: decimal mantissas + common exponent when every value converts
/// exactly (<see cref="DecimalFloat"/>), otherwise Gorilla XOR, or plain bits when XOR would be larger.
/// Every path is bit-exact, NaN payloads and -0.0 included.
/// </summary>
public static class FloatSequenceCodec
{
    /// <summary>Appends the encoding of <paramref name="values"/> to <paramref name="output"/>; returns the kind chosen.</summary>
    public static FloatEncodingKind Encode(ReadOnlySpan<double> values, ByteBuffer output) => Encode(values, output, allowRice: false);

    /// <summary>
    /// As <see cref="Encode(ReadOnlySpan{double}, ByteBuffer)"/>; with <paramref name="allowRice"/> the
    /// mantissas may take <see cref="IntegerEncodingKind.Rice"/> (parts of format version 2).
    /// </summary>
    public static FloatEncodingKind Encode(ReadOnlySpan<double> values, ByteBuffer output, bool allowRice)
    {
        ArgumentNullException.ThrowIfNull(output);
        long[] mantissas = ArrayPool<long>.Shared.Rent(Math.Max(1, values.Length));
        try
        {
            Span<long> m = mantissas.AsSpan(0, values.Length);
            if (DecimalFloat.TryConvert(values, m, out int exponent))
            {
                output.WriteByte((byte)FloatEncodingKind.DecimalMantissa);
                output.WriteVarInt64(exponent);
                IntegerSequenceCodec.Encode(m, output, allowRice);
                return FloatEncodingKind.DecimalMantissa;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(mantissas);
        }

        int start = output.Length;
        output.WriteByte((byte)FloatEncodingKind.Xor);
        GorillaXorCodec.Encode(values, output);
        if (output.Length - start - 1 <= values.Length * 8)
        {
            return FloatEncodingKind.Xor;
        }

        output.SetLength(start);
        return EncodePlain(values, output);
    }

    /// <summary>
    /// Appends <paramref name="values"/> as <see cref="FloatEncodingKind.Plain"/> (8 little-endian bytes
    /// each) without trying the smaller encodings: for the write-ahead log, where encoding time counts
    /// more than size.
    /// </summary>
    public static FloatEncodingKind EncodePlain(ReadOnlySpan<double> values, ByteBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteByte((byte)FloatEncodingKind.Plain);
        IntegerSequenceCodec.WritePlainValues(MemoryMarshal.Cast<double, long>(values), output);
        return FloatEncodingKind.Plain;
    }

    /// <summary>
    /// Decodes <paramref name="destination"/>.Length values; <paramref name="scratch"/> must be at least as
    /// long and receives the mantissas of the decimal encoding.
    /// </summary>
    public static void Decode(ref SpanReader reader, Span<double> destination, Span<long> scratch)
    {
        int n = destination.Length;
        int kindOffset = reader.Position;
        var kind = (FloatEncodingKind)reader.ReadByte();
        switch (kind)
        {
            case FloatEncodingKind.DecimalMantissa:
                {
                    int exponentOffset = reader.Position;
                    long exponent = reader.ReadVarInt64();
                    if (exponent < DecimalFloat.MinExponent || exponent > DecimalFloat.MaxExponent)
                    {
                        EncodingCorruption.Throw(exponentOffset, $"decimal exponent {exponent} out of range");
                    }

                    Span<long> m = scratch[..n];
                    IntegerSequenceCodec.Decode(ref reader, m);
                    int e = (int)exponent;
                    for (int i = 0; i < n; i++)
                    {
                        destination[i] = DecimalFloat.ToDouble(m[i], e);
                    }

                    return;
                }

            case FloatEncodingKind.Xor:
                {
                    int consumed = GorillaXorCodec.Decode(reader.RemainingSpan, destination, reader.Position);
                    reader.ReadSpan(consumed);
                    return;
                }

            case FloatEncodingKind.Plain:
                IntegerSequenceCodec.ReadPlainValues(reader.ReadSpan(checked(n * 8)), MemoryMarshal.Cast<double, long>(destination));
                return;

            default:
                EncodingCorruption.Throw(kindOffset, $"unknown float encoding {(byte)kind}");
                return;
        }
    }
}
