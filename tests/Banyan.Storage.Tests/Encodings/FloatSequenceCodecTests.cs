using Banyan.Storage.Bytes;
using Banyan.Storage.Encodings;
using Banyan.Storage.Tests.Parts;

namespace Banyan.Storage.Tests.Encodings;

public sealed class FloatSequenceCodecTests
{
    [Fact]
    public void Decimal_values_share_one_exponent_pinned_bytes()
    {
        // 1.5, 2.25, 3.0 -> mantissas 150, 225, 300 at exponent -2 -> delta-const (zigzag 300, 75).
        AssertPinned([1.5, 2.25, 3.0], "000302AC029601", FloatEncodingKind.DecimalMantissa);
    }

    [Fact]
    public void Values_that_do_not_convert_fall_back_to_xor_pinned_bytes()
    {
        AssertPinned([double.NaN], "01FFF8000000000000", FloatEncodingKind.Xor);
        // 1.0 then -0.0: XOR 0xBFF0000000000000 -> bits 1,1, leading 00000, length-1 001011, 101111111111, padded: C0 5D FF 80.
        AssertPinned([1.0, -0.0], "013FF0000000000000C05DFF80", FloatEncodingKind.Xor);
    }

    [Fact]
    public void Special_values_round_trip_bit_exactly()
    {
        double[] values =
        [
            double.NaN, BitConverter.Int64BitsToDouble(0x7FF0000000000123), double.PositiveInfinity, double.NegativeInfinity,
            -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue, 0.1, 1e300, 123456789.123456789,
        ];
        AssertRoundTrip(values, "special values");
    }

    [Fact]
    public void Random_sequences_round_trip_bit_exactly()
    {
        for (int seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            AssertRoundTrip(NextSequence(random), $"seed {seed}");
        }
    }

    [Fact]
    public void Decimal_conversion_is_used_for_values_with_few_decimals()
    {
        var random = new Random(3);
        for (int decimals = 0; decimals <= 6; decimals++)
        {
            double[] values = new double[200];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Math.Round((random.NextDouble() - 0.5) * 10000, decimals);
            }

            using var buffer = new ByteBuffer();
            Assert.Equal(FloatEncodingKind.DecimalMantissa, FloatSequenceCodec.Encode(values, buffer));
        }
    }

    [Fact]
    public void Random_and_truncated_bytes_only_raise_the_corruption_exception()
    {
        var random = new Random(11);
        var scratch = new long[64];
        for (int i = 0; i < 3000; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = new byte[random.Next(0, 60)];
                random.NextBytes(data);
                if (data.Length > 0)
                {
                    data[0] = (byte)random.Next(0, 4);
                }
            }
            else
            {
                using var buffer = new ByteBuffer();
                FloatSequenceCodec.Encode(NextSequence(random), buffer);
                data = buffer.WrittenSpan[..random.Next(0, buffer.Length)].ToArray();
            }

            double[] destination = new double[random.Next(0, 50)];
            if (scratch.Length < destination.Length)
            {
                scratch = new long[destination.Length];
            }

            try
            {
                var reader = new SpanReader(data);
                FloatSequenceCodec.Decode(ref reader, destination, scratch);
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }

    internal static double[] NextSequence(Random random)
    {
        double[] values = new double[random.Next(0, 300)];
        int shape = random.Next(4);
        int decimals = random.Next(7);
        double walk = random.NextDouble() * 100;
        for (int i = 0; i < values.Length; i++)
        {
            walk += random.NextDouble() - 0.5;
            values[i] = shape switch
            {
                0 => Math.Round(walk, decimals),
                1 => RandomRows.NextDouble(random),
                2 => BitConverter.Int64BitsToDouble(random.NextInt64()),
                _ => i,
            };
        }

        return values;
    }

    private static void AssertPinned(double[] values, string hex, FloatEncodingKind kind)
    {
        using var buffer = new ByteBuffer();
        Assert.Equal(kind, FloatSequenceCodec.Encode(values, buffer));
        Assert.Equal(hex, Convert.ToHexString(buffer.WrittenSpan));
        AssertRoundTrip(values, hex);
    }

    private static void AssertRoundTrip(double[] values, string context)
    {
        using var buffer = new ByteBuffer();
        FloatEncodingKind kind = FloatSequenceCodec.Encode(values, buffer);
        double[] decoded = new double[values.Length];
        var reader = new SpanReader(buffer.WrittenSpan);
        FloatSequenceCodec.Decode(ref reader, decoded, new long[values.Length]);
        reader.EnsureEnd();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(values[i]) == BitConverter.DoubleToInt64Bits(decoded[i]),
                $"{context} ({kind}): value {i} {values[i]:R} came back as {decoded[i]:R}");
        }
    }
}
