using Banyan.Storage.Bytes;
using Banyan.Storage.Encodings;

namespace Banyan.Storage.Tests.Encodings;

public sealed class IntegerSequenceCodecTests
{
    [Theory]
    [InlineData(new long[] { 5, 5, 5 }, "010A")]
    [InlineData(new long[] { 10, 20, 30 }, "021414")]
    [InlineData(new long[] { 1, 3, 2, 10 }, "0302040110")]
    [InlineData(new long[] { 1_000_000_000, 2_000_000_000, 3_000_000_001, 4_000_000_000 }, "0480A8D6B90780A8D6B9070203")]
    [InlineData(new long[] { 0x4000000000000000, -0x4000000000000000, 0x3000000000000000, 0 }, "00" + "0000000000000040" + "00000000000000C0" + "0000000000000030" + "0000000000000000")]
    [InlineData(new long[] { }, "0100")]
    public void Encodes_to_pinned_bytes(long[] values, string hex)
    {
        using var buffer = new ByteBuffer();
        IntegerSequenceCodec.Encode(values, buffer);
        Assert.Equal(hex, Convert.ToHexString(buffer.WrittenSpan));
        long[] decoded = new long[values.Length];
        var reader = new SpanReader(buffer.WrittenSpan);
        IntegerSequenceCodec.Decode(ref reader, decoded);
        Assert.Equal(values, decoded);
    }

    [Fact]
    public void Random_sequences_round_trip()
    {
        for (int seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            long[] values = NextSequence(random);
            using var buffer = new ByteBuffer();
            IntegerEncodingKind kind = IntegerSequenceCodec.Encode(values, buffer);
            long[] decoded = new long[values.Length];
            var reader = new SpanReader(buffer.WrittenSpan);
            IntegerSequenceCodec.Decode(ref reader, decoded);
            reader.EnsureEnd();
            Assert.True(values.AsSpan().SequenceEqual(decoded), $"seed {seed} ({kind}) did not round-trip");
        }
    }

    [Fact]
    public void Random_and_truncated_bytes_only_raise_the_corruption_exception()
    {
        var random = new Random(7);
        for (int i = 0; i < 3000; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = new byte[random.Next(0, 40)];
                random.NextBytes(data);
                if (data.Length > 0)
                {
                    data[0] = (byte)random.Next(0, 6);
                }
            }
            else
            {
                using var buffer = new ByteBuffer();
                IntegerSequenceCodec.Encode(NextSequence(random), buffer);
                data = buffer.WrittenSpan[..random.Next(0, buffer.Length)].ToArray();
            }

            long[] destination = new long[random.Next(0, 50)];
            try
            {
                var reader = new SpanReader(data);
                IntegerSequenceCodec.Decode(ref reader, destination);
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }

    internal static long[] NextSequence(Random random)
    {
        int n = random.Next(0, 300);
        long[] values = new long[n];
        int shape = random.Next(6);
        long start = random.NextInt64(long.MinValue, long.MaxValue);
        long step = random.NextInt64(-1000, 1000);
        for (int i = 0; i < n; i++)
        {
            values[i] = shape switch
            {
                0 => start,
                1 => unchecked(start + (step * i)),
                2 => unchecked(start + (step * i) + random.Next(-3, 4)),
                3 => random.NextInt64(long.MinValue, long.MaxValue),
                4 => random.Next(-100, 100),
                _ => i % 7 == 0 ? long.MinValue : long.MaxValue,
            };
        }

        return values;
    }
}
