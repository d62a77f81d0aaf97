using Banyan.Storage.Vectorized;

namespace Banyan.Storage.Tests.Vectorized;

/// <summary>
/// The vector sum equals the scalar loop's, sum and overflow flag alike, and the scalar loop equals a model in 128-bit
/// integers (overflowed exactly when some partial sum in order leaves long's range), for every length around the vector
/// width and values from small to long's extremes, where the vector loop must hand over to the scalar one.
/// </summary>
public sealed class Int64SumTests
{
    [Fact]
    public void Vector_and_scalar_sums_equal_the_model_for_any_length_and_values()
    {
        var random = new Random(11);
        for (int length = 0; length <= 100; length++)
        {
            for (int trial = 0; trial < 30; trial++)
            {
                long[] values = new long[length];
                for (int i = 0; i < length; i++)
                {
                    values[i] = (trial % 6) switch
                    {
                        0 => random.NextInt64(-1_000, 1_000),
                        1 => random.NextInt64(long.MinValue, long.MaxValue),
                        2 => random.Next(3) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => 0 },
                        3 => random.NextInt64(-(1L << 55), 1L << 55), // near the bound the vector loop checks
                        4 => random.NextInt64(1L << 56, 1L << 57), // one sign, large: overflows for long runs only
                        _ => -42,
                    };
                }

                (long Sum, bool Overflowed) model = Model(values);
                Assert.True(model == Int64Sum.Scalar(values), $"length {length} trial {trial}: scalar {Int64Sum.Scalar(values)}, model {model}");
                Assert.True(model == Int64Sum.Of(values), $"length {length} trial {trial}: vector {Int64Sum.Of(values)}, model {model}");
            }
        }
    }

    // The wrapped sum, and whether any partial sum in order left long's range.
    private static (long Sum, bool Overflowed) Model(long[] values)
    {
        Int128 exact = 0;
        bool overflowed = false;
        long wrapped = 0;
        foreach (long v in values)
        {
            exact += v;
            wrapped = unchecked(wrapped + v);
            overflowed |= exact != wrapped;
            exact = wrapped; // the next addition starts from the wrapped sum, as the loop's does
        }

        return (wrapped, overflowed);
    }
}
