using Banyan.Grains.Hosting;

namespace Banyan.Grains.Tests.Groups;

/// <summary><c>Silo:Segments</c> settings: out-of-range values are refused with the key named.</summary>
public sealed class SegmentOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(250)]
    [InlineData(10_000)]
    public void A_listing_lease_from_zero_to_ten_seconds_is_accepted(int milliseconds) =>
        new SegmentOptions { ListingLease = TimeSpan.FromMilliseconds(milliseconds) }.Validate();

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void A_listing_lease_out_of_range_is_refused_by_name(int milliseconds)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new SegmentOptions { ListingLease = TimeSpan.FromMilliseconds(milliseconds) }.Validate());
        Assert.Contains("Silo:Segments:ListingLease", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_other_settings_are_refused_by_name()
    {
        Assert.Contains("Silo:Segments:MaintenancePeriod", Assert.Throws<ArgumentException>(() => new SegmentOptions { MaintenancePeriod = TimeSpan.Zero }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("Silo:Segments:DropDelay", Assert.Throws<ArgumentException>(() => new SegmentOptions { DropDelay = TimeSpan.FromSeconds(-1) }.Validate()).Message, StringComparison.Ordinal);
    }
}
