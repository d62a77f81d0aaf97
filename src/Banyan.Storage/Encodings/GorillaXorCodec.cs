using System.Numerics;
using Banyan.Storage.Bytes;

namespace Banyan.Storage.Encodings;

/// <summary>
/// XOR float compression from Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series
/// Database", VLDB 2015, section 4.1.2: the first value as 64 raw bits, then each value XORed with
/// the previous one; a zero XOR is one '0' bit, otherwise '1' followed by either '0' and the
/// meaningful bits inside the previous leading/trailing-zero window, or '1', 5 bits of leading
/// zeros, 6 bits of (meaningful length - 1) and the meaningful bits. Bit-exact for every double,
/// including NaN payloads, infinities and -0.0.
/// </summary>
public static class GorillaXorCodec
{
    /// <summary>Appends the XOR encoding of <paramref name="values"/> (count not stored) to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<double> values, ByteBuffer output)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var writer = new BitWriter(output);
        ulong previous = BitConverter.DoubleToUInt64Bits(values[0]);
        writer.Write(previous, 64);
        int previousLeading = -1;
        int previousTrailing = 0;
        for (int i = 1; i < values.Length; i++)
        {
            ulong current = BitConverter.DoubleToUInt64Bits(values[i]);
            ulong xor = current ^ previous;
            previous = current;
            if (xor == 0)
            {
                writer.WriteBit(false);
                continue;
            }

            writer.WriteBit(true);
            int leading = Math.Min(31, BitOperations.LeadingZeroCount(xor));
            int trailing = BitOperations.TrailingZeroCount(xor);
            if (previousLeading >= 0 && leading >= previousLeading && trailing >= previousTrailing)
            {
                writer.WriteBit(false);
                int meaningful = 64 - previousLeading - previousTrailing;
                writer.Write(xor >> previousTrailing, meaningful);
            }
            else
            {
                writer.WriteBit(true);
                int meaningful = 64 - leading - trailing;
                writer.Write((ulong)leading, 5);
                writer.Write((ulong)(meaningful - 1), 6);
                writer.Write(xor >> trailing, meaningful);
                previousLeading = leading;
                previousTrailing = trailing;
            }
        }

        writer.Flush();
    }

    /// <summary>Decodes <paramref name="destination"/>.Length values from the start of <paramref name="data"/>; returns the bytes consumed.</summary>
    public static int Decode(ReadOnlySpan<byte> data, Span<double> destination, int baseOffset)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        var reader = new BitReader(data, baseOffset);
        ulong previous = reader.Read(64);
        destination[0] = BitConverter.UInt64BitsToDouble(previous);
        int leading = -1;
        int trailing = 0;
        for (int i = 1; i < destination.Length; i++)
        {
            if (reader.ReadBit())
            {
                if (reader.ReadBit())
                {
                    leading = (int)reader.Read(5);
                    int meaningful = (int)reader.Read(6) + 1;
                    trailing = 64 - leading - meaningful;
                    if (trailing < 0)
                    {
                        EncodingCorruption.Throw(baseOffset + reader.BytesConsumed, "XOR window wider than 64 bits");
                    }
                }
                else if (leading < 0)
                {
                    EncodingCorruption.Throw(baseOffset + reader.BytesConsumed, "XOR window reused before being set");
                }

                int length = 64 - leading - trailing;
                previous ^= reader.Read(length) << trailing;
            }

            destination[i] = BitConverter.UInt64BitsToDouble(previous);
        }

        return reader.BytesConsumed;
    }
}
