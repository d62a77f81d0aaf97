using Banyan.Storage.TimeSegments;

namespace Banyan.Storage.Tests.TimeSegments;

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

    [Fact]
    public void Row_timestamps_in_nanoseconds_align_like_times_also_before_1970()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        IntervalRule[] intervals = [new(IntervalUnit.Hour, 1), new(IntervalUnit.Hour, 5), new(IntervalUnit.Day, 1), new(IntervalUnit.Day, 7)];
        long hour = 3_600_000_000_000;
        long[] edges = [0, -1, 1, hour, hour - 1, -hour, -hour - 1, 24 * hour];
        for (int i = 0; i < 2000; i++)
        {
            IntervalRule interval = intervals[i % intervals.Length];
            long nanos = i < edges.Length ? edges[i] : random.NextInt64(-50L * 365 * 24 * hour, 60L * 365 * 24 * hour) / 100 * 100;
            DateTimeOffset expected = SegmentAlignment.StartOf(DateTimeOffset.UnixEpoch.AddTicks(nanos / 100), interval);
            if (nanos < 0 && nanos % 100 != 0)
            {
                continue; // a time has no sub-tick part to compare against
            }

            Assert.True(expected == SegmentAlignment.FromNanos(SegmentAlignment.StartOfNanos(nanos, interval)), $"seed {seed}: {nanos} ns with {interval}");
        }

        // A nanosecond before the epoch lies in the segment before it.
        Assert.Equal(-hour, SegmentAlignment.StartOfNanos(-1, new IntervalRule(IntervalUnit.Hour, 1)));
    }
}
