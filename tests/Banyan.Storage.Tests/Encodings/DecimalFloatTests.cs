using Banyan.Storage.Encodings;

namespace Banyan.Storage.Tests.Encodings;

/// <summary>
/// <see cref="DecimalFloat.TryConvert"/> in one pass at one scale gives what converting value by value gives: the same
/// answer, exponent and mantissas, so a part's bytes do not depend on which way it went.
/// </summary>
public sealed class DecimalFloatTests
{
    [Fact]
    public void Converting_at_one_scale_gives_what_converting_each_value_gives()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        int oneScale = 0;
        for (int round = 0; round < 3_000; round++)
        {
            double[] values = Block(random, random.Next(1, 200));
            long[] each = new long[values.Length];
            long[] converted = new long[values.Length];
            bool eachOk = DecimalFloat.TryConvertEach(values, each, out int eachExponent);
            bool ok = DecimalFloat.TryConvert(values, converted, out int exponent);
            string context = $"seed {seed}, round {round}: [{string.Join(", ", values.Take(6).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}, ...]";
            Assert.True(eachOk == ok, context + ": the answers differ");
            if (ok)
            {
                Assert.True(eachExponent == exponent, $"{context}: exponent {exponent}, value by value {eachExponent}");
                Assert.True(each.AsSpan().SequenceEqual(converted), context + ": the mantissas differ");
            }

            oneScale += DecimalFloat.TryConvertAtOneScale(values, new long[values.Length], out _) ? 1 : 0;
        }

        // The one-scale pass must be the common way, or the test checks only the fallback.
        Assert.True(oneScale > 1_000, $"seed {seed}: converted at one scale {oneScale} times of 3,000");
    }

    // Values of one kind per block, now and then with an odd one in: a few decimals (the metrics' case), integers and
    // zeros, mixed scales, large magnitudes near 2^52 and 2^53, long fractions, -0.0, NaN and infinities.
    private static double[] Block(Random random, int n)
    {
        int kind = random.Next(6);
        int decimals = random.Next(0, 20);
        double[] values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = kind switch
            {
                0 => Math.Round(random.NextDouble() * 1000, random.Next(0, 4)),
                1 => random.Next(3) == 0 ? 0 : random.Next(-100_000, 100_000),
                2 => random.NextInt64(-(1L << 53), 1L << 53) / Math.Pow(10, random.Next(0, 3)),
                3 => random.NextInt64(-1_000_000, 1_000_000) / Math.Pow(10, decimals),
                4 => random.NextDouble(),
                _ => Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(0, 12)), random.Next(0, 6)),
            };
        }

        if (random.Next(4) == 0)
        {
            double[] odd = [-0.0, double.NaN, double.PositiveInfinity, 1e300, 5e-324, 0.1, 123456789.123456789, 0];
            values[random.Next(n)] = odd[random.Next(odd.Length)];
        }

        return values;
    }
}
