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

    // Plan counts code sizes four residuals at a time (three parameters in one pass); a size it gets wrong would pick another k or declare a size
    // Write does not produce, and the part's bytes (pinned by the golden tests) would change.
    [Fact]
    public void Sizes_counted_four_residuals_at_a_time_are_those_counted_one_by_one()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int round = 0; round < 400; round++)
        {
            int n = random.Next(0, 300);
            long[] residuals = new long[n];
            int spread = 1 << random.Next(0, 40);
            for (int i = 0; i < n; i++)
            {
                // Mostly near the bias, now and then an outlier that escapes for small k, and extremes that wrap.
                residuals[i] = random.Next(20) switch
                {
                    0 => random.NextInt64(long.MinValue, long.MaxValue),
                    1 => random.NextInt64(-(1L << 50), 1L << 50),
                    _ => random.NextInt64(-spread, spread),
                };
            }

            long bias = random.Next(4) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : random.NextInt64(-spread, spread);
            int k = random.Next(0, RiceCodec.MaxK + 1);
            (long below, long at, long above) = RiceCodec.CountBitsAround(residuals, bias, k);
            string context = $"seed {seed}, round {round}, n {n}, k {k}";
            Assert.True(CodeBits(residuals, bias, Math.Max(0, k - 1)) == below, context + ": k - 1 counted around");
            Assert.True(CodeBits(residuals, bias, k) == at, context + ": k counted around");
            Assert.True(CodeBits(residuals, bias, Math.Min(RiceCodec.MaxK, k + 1)) == above, context + ": k + 1 counted around");
            Assert.True(CodeBits(residuals, bias, k) == RiceCodec.CountBits(residuals, bias, k), context + ": k counted alone");
        }
    }

    // The codes' bits one residual at a time, as the layout in docs/format/encodings.md describes them.
    private static long CodeBits(long[] residuals, long bias, int k)
    {
        long bits = 0;
        foreach (long residual in residuals)
        {
            ulong u = VarInt.ZigZag(unchecked(residual - bias));
            bits += (u >> k) < RiceCodec.EscapeQuotient ? (long)(u >> k) + 1 + k : RiceCodec.EscapeQuotient + 6 + (64 - System.Numerics.BitOperations.LeadingZeroCount(u));
        }

        return bits;
    }

    [Fact]
    public void The_median_is_the_lower_middle_of_the_sorted_values()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int round = 0; round < 500; round++)
        {
            int n = random.Next(1, 400);
            long[] values = new long[n];
            // Spreads below and above the counted range, around zero and near the ends of long, with repeats.
            long spread = round % 3 == 0 ? 1L << random.Next(0, 62) : random.Next(1, 5000);
            long center = random.Next(3) switch { 0 => 0, 1 => long.MaxValue - spread, _ => long.MinValue + spread };
            for (int i = 0; i < n; i++)
            {
                values[i] = center + random.NextInt64(-spread, spread);
            }

            long[] sorted = [.. values.Order()];
            Assert.True(RiceCodec.Median(values) == sorted[(n - 1) / 2], $"seed {seed}, round {round}, n {n}, spread {spread}");
        }
    }

    [Fact]
    public void A_planned_size_is_the_size_written()
    {
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            long[] values = Noisy(random, 32 + random.Next(500));
            long planned = RiceCodec.Plan(values, out RicePlan plan);
            using var buffer = new ByteBuffer();
            RiceCodec.Write(values, plan, buffer);
            Assert.True(planned == buffer.Length, $"seed {seed}: planned {planned} bytes, wrote {buffer.Length}");
        }
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
