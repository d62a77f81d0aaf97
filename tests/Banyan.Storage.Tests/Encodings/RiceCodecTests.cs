using Banyan.Storage.Bytes;
using Banyan.Storage.Encodings;

namespace Banyan.Storage.Tests.Encodings;

/// <summary>The Rice integer sequence (kind 5) of format-2 parts: pinned bytes, round trips, escapes, damage.</summary>
public sealed class RiceCodecTests
{
    // Worked through in docs/format/encodings.md: order 0, bias 102, k = 1, 27 bits.
    [Fact]
    public void Encodes_to_pinned_bytes()
    {
        long[] values = [100, 102, 101, 105, 103, 104, 102, 106];
        using var buffer = new ByteBuffer();
        RiceCodec.Write(values, new RicePlan(0, 1, 102), buffer);
        Assert.Equal("0501CC016E240A02", Convert.ToHexString(buffer.WrittenSpan));
        Assert.Equal(8, RiceCodec.Plan(values, out RicePlan plan, minCount: 8));
        Assert.Equal(new RicePlan(0, 1, 102), plan);
        Assert.Equal(values, Decode(buffer.WrittenSpan, values.Length));
    }

    [Fact]
    public void Is_never_chosen_without_permission_so_the_log_and_format_1_keep_their_kinds()
    {
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            long[] values = Noisy(random, random.Next(0, 400));
            using var buffer = new ByteBuffer();
            Assert.NotEqual(IntegerEncodingKind.Rice, IntegerSequenceCodec.Encode(values, buffer));
        }
    }

    [Fact]
    public void Random_sequences_round_trip_and_noisy_ones_take_fewer_bytes_than_varints()
    {
        int rice = 0;
        for (int seed = 0; seed < 600; seed++)
        {
            var random = new Random(seed);
            long[] values = seed % 2 == 0 ? Noisy(random, random.Next(0, 500)) : IntegerSequenceCodecTests.NextSequence(random);
            using var compact = new ByteBuffer();
            IntegerEncodingKind kind = IntegerSequenceCodec.Encode(values, compact, allowRice: true);
            using var plain = new ByteBuffer();
            IntegerSequenceCodec.Encode(values, plain);
            Assert.True(compact.Length <= plain.Length, $"seed {seed}: {kind} took {compact.Length} bytes, the varint kinds {plain.Length}");
            Assert.True(values.AsSpan().SequenceEqual(Decode(compact.WrittenSpan, values.Length)), $"seed {seed} ({kind}) did not round-trip");
            rice += kind == IntegerEncodingKind.Rice ? 1 : 0;
        }

        Assert.True(rice > 250, $"Rice chosen for only {rice} of 600 sequences");
    }

    [Fact]
    public void Outliers_and_extreme_values_are_escaped_and_round_trip()
    {
        var random = new Random(11);
        for (int i = 0; i < 300; i++)
        {
            long[] values = Noisy(random, 32 + random.Next(300));
            for (int j = 0; j < 1 + random.Next(4); j++)
            {
                values[random.Next(values.Length)] = random.Next(3) switch
                {
                    0 => long.MinValue,
                    1 => long.MaxValue,
                    _ => random.NextInt64(),
                };
            }

            using var buffer = new ByteBuffer();
            IntegerEncodingKind kind = IntegerSequenceCodec.Encode(values, buffer, allowRice: true);
            Assert.True(values.AsSpan().SequenceEqual(Decode(buffer.WrittenSpan, values.Length)), $"case {i} ({kind}) did not round-trip");
        }

        // One spike in a steady series: escaped (about 30 bits), so Rice still wins.
        var noise = new Random(5);
        long[] spiky = new long[360];
        for (int i = 0; i < spiky.Length; i++)
        {
            spiky[i] = 1_000 + noise.Next(-50, 51);
        }

        spiky[100] += 1_000_000;
        using var spikyBuffer = new ByteBuffer();
        Assert.Equal(IntegerEncodingKind.Rice, IntegerSequenceCodec.Encode(spiky, spikyBuffer, allowRice: true));
        Assert.Equal(spiky, Decode(spikyBuffer.WrittenSpan, spiky.Length));
    }

    [Fact]
    public void Random_truncated_and_flipped_bytes_only_raise_the_corruption_exception()
    {
        var random = new Random(17);
        for (int i = 0; i < 4000; i++)
        {
            long[] values = Noisy(random, 32 + random.Next(200));
            using var buffer = new ByteBuffer();
            IntegerSequenceCodec.Encode(values, buffer, allowRice: true);
            byte[] data = buffer.ToArray();
            switch (i % 3)
            {
                case 0:
                    data = data[..random.Next(data.Length)];
                    break;
                case 1:
                    data[1 + random.Next(data.Length - 1)] ^= (byte)(1 << random.Next(8));
                    break;
                default:
                    data = new byte[random.Next(1, 60)];
                    random.NextBytes(data);
                    data[0] = (byte)IntegerEncodingKind.Rice;
                    break;
            }

            long[] destination = new long[random.Next(3) == 0 ? random.Next(0, 300) : values.Length];
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

    [Fact]
    public void Nonzero_padding_bits_are_corruption()
    {
        byte[] data = Convert.FromHexString("0501CC016E240A02");
        data[^1] |= 0x80;
        StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(() => Decode(data, 8));
        Assert.Contains("padding", error.Message, StringComparison.Ordinal);
    }

    private static long[] Decode(ReadOnlySpan<byte> data, int count)
    {
        long[] decoded = new long[count];
        var reader = new SpanReader(data);
        IntegerSequenceCodec.Decode(ref reader, decoded);
        reader.EnsureEnd();
        return decoded;
    }

    // Metric-like: a noisy level, a random walk or a noisy counter, at a random scale.
    private static long[] Noisy(Random random, int n)
    {
        long[] values = new long[n];
        double scale = Math.Pow(10, random.Next(0, 6));
        long level = random.NextInt64(-1_000_000_000, 1_000_000_000);
        int shape = random.Next(3);
        long value = level;
        for (int i = 0; i < n; i++)
        {
            long noise = (long)(scale * (random.NextDouble() - 0.5));
            value = shape switch
            {
                0 => level + noise,
                1 => value + noise,
                _ => value + (long)scale + noise,
            };
            values[i] = value;
        }

        return values;
    }
}
