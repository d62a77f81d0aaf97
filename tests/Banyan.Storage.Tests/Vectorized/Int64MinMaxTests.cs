using Banyan.Storage.Vectorized;

namespace Banyan.Storage.Tests.Vectorized;

/// <summary>The vector minimum and maximum equal the scalar loop's and LINQ's, for every length around the vector widths and any values.</summary>
public sealed class Int64MinMaxTests
{
    [Fact]
    public void Vector_and_scalar_minimum_and_maximum_equal_the_model_for_any_length_and_values()
    {
        var random = new Random(7);
        for (int length = 1; length <= 100; length++)
        {
            for (int trial = 0; trial < 20; trial++)
            {
                long[] values = new long[length];
                for (int i = 0; i < length; i++)
                {
                    values[i] = (trial % 4) switch
                    {
                        0 => random.NextInt64(-1_000, 1_000),
                        1 => random.NextInt64(long.MinValue, long.MaxValue),
                        2 => random.Next(3) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => 0 },
                        _ => 42,
                    };
                }

                // The extreme anywhere, including the overlapping tail the vector loop reads twice.
                if (trial % 5 == 4)
                {
                    values[random.Next(length)] = long.MaxValue;
                    values[random.Next(length)] = long.MinValue;
                }

                (long Min, long Max) expected = (values.Min(), values.Max());
                Assert.True(expected == Int64MinMax.Of(values), $"length {length} trial {trial}: vector {Int64MinMax.Of(values)}, expected {expected}");
                Assert.Equal(expected, Int64MinMax.Scalar(values));
            }
        }
    }

    [Fact]
    public void No_values_have_no_minimum() => Assert.Throws<ArgumentException>(() => Int64MinMax.Of([]));
}
