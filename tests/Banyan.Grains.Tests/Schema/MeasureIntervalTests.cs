using Banyan.Grains.Schema.Validation;

namespace Banyan.Grains.Tests.Schema;

/// <summary>Measure intervals in Go's duration syntax plus BanyanDB's day unit.</summary>
public sealed class MeasureIntervalTests
{
    [Theory]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("24h", 86_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("300ms", 300)]
    [InlineData("2s", 2000)]
    [InlineData("0", 0)]
    [InlineData("-1m", -60_000)]
    public void Durations_parse(string text, long milliseconds)
    {
        Assert.True(MeasureInterval.TryParse(text, out TimeSpan interval, out string reason), reason);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), interval);
    }

    [Fact]
    public void Sub_millisecond_units_parse()
    {
        Assert.True(MeasureInterval.TryParse("1500us", out TimeSpan us, out _));
        Assert.Equal(TimeSpan.FromTicks(15_000), us);
        Assert.True(MeasureInterval.TryParse("2µs", out TimeSpan micro, out _));
        Assert.Equal(TimeSpan.FromTicks(20), micro);
        Assert.True(MeasureInterval.TryParse("100ns", out TimeSpan ns, out _));
        Assert.Equal(TimeSpan.FromTicks(1), ns);
    }

    [Theory]
    [InlineData("", "is not a duration")]
    [InlineData("m", "expected a number")]
    [InlineData("1", "a unit is missing")]
    [InlineData("1x", "unknown unit 'x'")]
    [InlineData("1m5", "a unit is missing")]
    [InlineData("1..2s", "expected a number")]
    [InlineData("99999999999999999999d", "too long")]
    public void Malformed_durations_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(MeasureInterval.TryParse(text, out _, out string why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }
}
