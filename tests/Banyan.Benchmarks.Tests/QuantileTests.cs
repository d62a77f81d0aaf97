using Banyan.Benchmarks.Load;

namespace Banyan.Benchmarks.Tests;

/// <summary>The pair commands' quantiles: interpolated between the closest ranks, in any input order.</summary>
public sealed class QuantileTests
{
    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_value_and_of_an_even_count_the_mean_of_the_two()
    {
        Assert.Equal(2.0, Quantile.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, Quantile.Median([4.0, 1.0, 3.0, 2.0]));
    }

    [Fact]
    public void Quartiles_interpolate_between_ranks()
    {
        double[] values = [5.0, 1.0, 4.0, 2.0, 3.0];

        Assert.Equal(2.0, Quantile.Of(values, 0.25));
        Assert.Equal(4.0, Quantile.Of(values, 0.75));
        Assert.Equal(1.0, Quantile.Of(values, 0));
        Assert.Equal(5.0, Quantile.Of(values, 1));
        Assert.Equal(1.5, Quantile.Of([1.0, 2.0], 0.5));
    }
}
