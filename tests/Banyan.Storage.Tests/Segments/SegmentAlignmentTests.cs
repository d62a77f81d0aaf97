using Banyan.Storage.Segments;

namespace Banyan.Storage.Tests.Segments;

public sealed class SegmentAlignmentTests
{
    [Theory]
    [InlineData("2024-01-01T13:45:00+00:00", IntervalUnit.Hour, 1, "2024-01-01T13:00:00+00:00")]
    [InlineData("2024-01-01T13:45:00+00:00", IntervalUnit.Hour, 6, "2024-01-01T12:00:00+00:00")]
    [InlineData("2024-01-01T13:45:00+05:00", IntervalUnit.Day, 1, "2024-01-01T00:00:00+00:00")]
    [InlineData("2024-01-01T03:00:00+05:00", IntervalUnit.Day, 1, "2023-12-31T00:00:00+00:00")]
    [InlineData("1969-12-31T23:30:00+00:00", IntervalUnit.Hour, 1, "1969-12-31T23:00:00+00:00")]
    public void Start_is_a_multiple_of_the_interval_from_the_unix_epoch_in_utc(string timestamp, IntervalUnit unit, int num, string expected)
    {
        DateTimeOffset start = SegmentAlignment.StartOf(DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), new IntervalRule(unit, num));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), start);
        Assert.Equal(TimeSpan.Zero, start.Offset);
        Assert.Equal(0, (start - DateTimeOffset.UnixEpoch).Ticks % new IntervalRule(unit, num).Duration.Ticks);
    }

    [Fact]
    public void Folder_name_round_trips()
    {
        DateTimeOffset start = new(2024, 3, 9, 7, 0, 0, TimeSpan.Zero);
        Assert.Equal("seg-2024030907", SegmentAlignment.FolderName(start));
        Assert.True(SegmentAlignment.TryParseFolderName("seg-2024030907", out DateTimeOffset parsed));
        Assert.Equal(start, parsed);
        Assert.False(SegmentAlignment.TryParseFolderName("seg-20240309", out _));
        Assert.False(SegmentAlignment.TryParseFolderName("shard-0", out _));
    }

    [Fact]
    public void Bad_options_name_the_field()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(() => new GroupOptions { ShardNum = 0 }.Validate());
        Assert.Contains("shard_num", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new GroupOptions { Ttl = new IntervalRule(IntervalUnit.Day, 0) }.Validate());
        Assert.Contains("ttl.num", ex.Message, StringComparison.Ordinal);
    }
}
