using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.TimeSegments;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

public sealed class GroupScannerTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static readonly DateTimeOffset s_t0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static long Nanos(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

    private SegmentController<Shard> Open(string root, FakeTimeProvider clock) => new(
        root,
        new GroupOptions { ShardNum = 2, SegmentInterval = new IntervalRule(IntervalUnit.Hour, 1), Ttl = new IntervalRule(IntervalUnit.Hour, 2) },
        clock,
        (path, _) => _leaks.Open(path, new ShardOptions { PartWriter = PartWriterOptions.Default with { Fsync = false } }));

    private static void Write(SegmentController<Shard> group, DateTimeOffset time, ulong series, double value)
    {
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Float64);
        batch.AddRow(series, Nanos(time), 1, [ColumnValue.FromFloat64(value)]);
        group.SegmentFor(time).Shard((int)(series % 2)).Write(batch);
    }

    private static List<(ulong Series, long Timestamp)> Scan(SegmentController<Shard> group, DateTimeOffset from, DateTimeOffset to, ulong[]? series = null)
    {
        using ShardScan scan = GroupScanner.Scan(group, DataKind.Measure, Nanos(from), Nanos(to), series, ColumnProjection.All);
        List<(ulong, long)> rows = [];
        while (scan.MoveNext())
        {
            rows.Add((scan.SeriesId, scan.Timestamp));
        }

        return rows;
    }

    [Fact]
    public void Scans_cover_segments_and_shards_in_order_and_skip_expired_segments()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0.AddMinutes(30));
        using (SegmentController<Shard> group = Open(dir.Path, clock))
        {
            Write(group, s_t0.AddMinutes(10), 1, 1);
            Write(group, s_t0.AddMinutes(20), 2, 2);
            clock.Set(s_t0.AddMinutes(90));
            Write(group, s_t0.AddMinutes(70), 1, 3);
            Write(group, s_t0.AddMinutes(80), 2, 4);
            group.SegmentFor(s_t0).Shard(0).Flush();

            List<(ulong Series, long Timestamp)> rows = Scan(group, s_t0, s_t0.AddHours(3));
            Assert.Equal(
                [(1UL, Nanos(s_t0.AddMinutes(10))), (1UL, Nanos(s_t0.AddMinutes(70))), (2UL, Nanos(s_t0.AddMinutes(20))), (2UL, Nanos(s_t0.AddMinutes(80)))],
                rows);
            Assert.Equal(2, Scan(group, s_t0.AddMinutes(15), s_t0.AddMinutes(75)).Count);
            Assert.Equal(2, Scan(group, s_t0, s_t0.AddHours(3), [2]).Count);
        }

        // After a restart the shards are reopened for reading; then the first segment expires at 3h.
        using SegmentController<Shard> reopened = Open(dir.Path, clock);
        Assert.Equal(4, Scan(reopened, s_t0, s_t0.AddHours(3)).Count);
        clock.Set(s_t0.AddHours(3));
        Assert.Equal(2, Scan(reopened, s_t0, s_t0.AddHours(3)).Count);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "seg-2024010100")));
        Assert.Equal(1, reopened.Retain());
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "seg-2024010100")));
        Assert.Equal(2, Scan(reopened, s_t0, s_t0.AddHours(3)).Count);
    }
}
