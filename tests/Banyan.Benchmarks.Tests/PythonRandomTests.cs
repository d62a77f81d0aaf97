using Banyan.Benchmarks.Load;

namespace Banyan.Benchmarks.Tests;

/// <summary>The twister and the rounding the dataset depends on, against values CPython 3 prints (no Python needed).</summary>
public sealed class PythonRandomTests
{
    [Fact]
    public void Draws_are_CPythons_for_a_one_word_seed()
    {
        // python3 -c "import random; r = random.Random(42); print(repr(r.random()), repr(r.random()))"
        PythonRandom random = new(42);
        Assert.Equal(0.6394267984578837, random.NextDouble());
        Assert.Equal(0.025010755222666936, random.NextDouble());
    }

    [Fact]
    public void Draws_are_CPythons_for_a_two_word_seed()
    {
        // python3 -c "import random; print(repr(random.Random(2**40 + 7).random()))"
        Assert.Equal(0.6137037779936511, new PythonRandom((1UL << 40) + 7).NextDouble());
    }

    [Theory]
    [InlineData(0.125, 0.12)] // exact tie: half to even
    [InlineData(0.375, 0.38)] // exact tie: half to even
    [InlineData(2.675, 2.67)] // the double is just below 2.675
    [InlineData(1.005, 1.0)] // the double is just below 1.005
    [InlineData(99.995, 100.0)] // the double is just above 99.995
    [InlineData(0.005, 0.01)]
    [InlineData(0.015, 0.01)]
    [InlineData(-0.125, -0.12)]
    [InlineData(42.0, 42.0)]
    public void Rounding_is_Pythons_round_to_two_decimals(double value, double expected)
        => Assert.Equal(expected, PeerDataset.RoundTwoDecimals(value));
}
