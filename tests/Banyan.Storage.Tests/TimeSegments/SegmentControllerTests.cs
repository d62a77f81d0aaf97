using Banyan.Storage.TimeSegments;

namespace Banyan.Storage.Tests.TimeSegments;

public sealed class SegmentControllerTests
{
    private sealed class FakeShard(string path) : IDisposable
    {
        public string Path { get; } = path;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private static readonly DateTimeOffset s_t0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SegmentController<FakeShard> Create(string root, FakeTimeProvider clock, int ttlHours = 3)
        => new(root, new GroupOptions { ShardNum = 2, SegmentInterval = new IntervalRule(IntervalUnit.Hour, 1), Ttl = new IntervalRule(IntervalUnit.Hour, ttlHours) }, clock, (path, _) =>
        {
            Directory.CreateDirectory(path);
            return new FakeShard(path);
        });

    [Fact]
    public void First_write_creates_the_segment_and_shard_folders()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0.AddMinutes(30));
        using SegmentController<FakeShard> controller = Create(dir.Path, clock);
        Segment<FakeShard> segment = controller.SegmentFor(s_t0.AddMinutes(10));
        Assert.Equal(s_t0, segment.Start);
        Assert.Equal(s_t0.AddHours(1), segment.End);
        FakeShard shard = segment.Shard(1);
        Assert.Equal(Path.Combine(dir.Path, "seg-2024010100", "shard-1"), shard.Path);
        Assert.Same(shard, segment.Shard(1));
        Assert.Same(segment, controller.SegmentFor(s_t0.AddMinutes(59)));
    }

    [Fact]
    public void Rotation_creates_the_next_segment_at_the_eighty_percent_point()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0);
        using SegmentController<FakeShard> controller = Create(dir.Path, clock);
        Assert.Null(controller.Rotate()); // no current segment yet
        controller.SegmentFor(s_t0);
        clock.Set(s_t0.AddMinutes(47));
        Assert.Null(controller.Rotate());
        Assert.Single(controller.SegmentStarts());
        clock.Set(s_t0.AddMinutes(48));
        Segment<FakeShard>? next = controller.Rotate();
        Assert.NotNull(next);
        Assert.Equal(s_t0.AddHours(1), next.Start);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "seg-2024010101")));
        Assert.Null(controller.Rotate()); // already there
    }

    [Fact]
    public void Expired_segments_vanish_from_scans_at_once_and_from_disk_at_retain()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0.AddMinutes(5));
        using SegmentController<FakeShard> controller = Create(dir.Path, clock);
        Segment<FakeShard> first = controller.SegmentFor(s_t0);
        FakeShard shard = first.Shard(0);
        controller.SegmentFor(s_t0.AddHours(1));

        // Segment [0h,1h) expires when now - 3h >= 1h, i.e. at 4h.
        clock.Set(s_t0.AddHours(4).AddTicks(-1));
        List<Segment<FakeShard>> visible = controller.AcquireOverlapping(s_t0, s_t0.AddDays(1));
        Assert.Equal(2, visible.Count);
        visible.ForEach(s => s.Release());

        clock.Set(s_t0.AddHours(4));
        visible = controller.AcquireOverlapping(s_t0, s_t0.AddDays(1));
        Assert.Single(visible);
        Assert.Equal(s_t0.AddHours(1), visible[0].Start);
        visible.ForEach(s => s.Release());
        Assert.True(Directory.Exists(first.FolderPath), "deletion waits for Retain");

        Assert.Equal(1, controller.Retain());
        Assert.False(Directory.Exists(first.FolderPath));
        Assert.True(shard.Disposed);
        Assert.Single(controller.SegmentStarts());
    }

    [Fact]
    public void A_scan_holding_an_expired_segment_delays_its_deletion()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0);
        using SegmentController<FakeShard> controller = Create(dir.Path, clock);
        controller.SegmentFor(s_t0).Shard(0);
        List<Segment<FakeShard>> scan = controller.AcquireOverlapping(s_t0, s_t0.AddHours(1));
        clock.Set(s_t0.AddHours(5));
        Assert.Equal(1, controller.Retain());
        Assert.True(Directory.Exists(scan[0].FolderPath));
        Assert.False(scan[0].Shard(0).Disposed);
        scan[0].Release();
        Assert.False(Directory.Exists(scan[0].FolderPath));
    }

    [Fact]
    public void Writes_older_than_the_ttl_are_rejected_with_a_clear_error()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0.AddHours(10));
        using SegmentController<FakeShard> controller = Create(dir.Path, clock);
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(() => controller.SegmentFor(s_t0.AddHours(7).AddTicks(-1)));
        Assert.Contains("TTL", ex.Message, StringComparison.Ordinal);
        Assert.Equal(s_t0.AddHours(7), controller.SegmentFor(s_t0.AddHours(7)).Start);
    }

    [Fact]
    public void Existing_segments_are_found_after_reopen()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0.AddMinutes(1));
        using (SegmentController<FakeShard> controller = Create(dir.Path, clock))
        {
            controller.SegmentFor(s_t0);
            controller.SegmentFor(s_t0.AddHours(2));
        }

        using SegmentController<FakeShard> reopened = Create(dir.Path, clock);
        Assert.Equal([s_t0, s_t0.AddHours(2)], reopened.SegmentStarts());
    }

    [Fact]
    public void A_write_holding_its_segment_keeps_the_shard_open_while_retention_removes_it()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0.AddMinutes(30));
        using SegmentController<FakeShard> controller = Create(dir.Path, clock);
        Segment<FakeShard> segment = controller.AcquireFor(s_t0.AddMinutes(10));
        FakeShard shard = segment.Shard(0);

        // The TTL passes while the write is in progress: retention removes the segment at once...
        clock.Set(s_t0.AddHours(4));
        Assert.Equal(1, controller.Retain());
        Assert.Empty(controller.AcquireOverlapping(s_t0, s_t0.AddHours(5)));

        // ...but the writer's shard stays open until the writer lets go; then it closes and goes.
        Assert.False(shard.Disposed);
        Assert.True(Directory.Exists(segment.FolderPath));
        segment.Release();
        Assert.True(shard.Disposed);
        Assert.False(Directory.Exists(segment.FolderPath));

        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(() => controller.AcquireFor(s_t0.AddMinutes(10)));
        Assert.Contains("TTL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_spanning_segments_is_split_by_segment_with_every_row_kept()
    {
        using TempDirectory dir = new();
        FakeTimeProvider clock = new(s_t0);
        using SegmentController<FakeShard> controller = Create(dir.Path, clock);
        long hour = 3_600_000_000_000;
        long t0 = s_t0.ToUnixTimeMilliseconds() * 1_000_000;
        Banyan.Storage.Rows.WriteBatch batch = new(Banyan.Storage.Rows.DataKind.Measure);
        batch.AddColumn(null, "v", Banyan.Storage.Values.ColumnValueType.Int64);
        long[] times = [t0 + (2 * hour) + 5, t0, t0 + hour - 1, t0 + hour, t0 - 1, t0 + (2 * hour)];
        for (int i = 0; i < times.Length; i++)
        {
            batch.AddRow((ulong)(i + 1), times[i], i, [Banyan.Storage.Values.ColumnValue.FromInt64(i * 10)]);
        }

        IReadOnlyList<(DateTimeOffset Start, Banyan.Storage.Rows.WriteBatch Rows)> parts = controller.SplitBySegment(batch);
        Assert.Equal([s_t0.AddHours(-1), s_t0, s_t0.AddHours(1), s_t0.AddHours(2)], parts.Select(p => p.Start));
        Assert.Equal([4L], parts[0].Rows.Versions.ToArray());
        Assert.Equal([1L, 2L], parts[1].Rows.Versions.ToArray()); // original order kept
        Assert.Equal([3L], parts[2].Rows.Versions.ToArray());
        Assert.Equal([0L, 5L], parts[3].Rows.Versions.ToArray());
        foreach ((DateTimeOffset start, Banyan.Storage.Rows.WriteBatch rows) in parts)
        {
            for (int r = 0; r < rows.Count; r++)
            {
                Segment<FakeShard> holder = controller.AcquireFor(DateTimeOffset.UnixEpoch.AddTicks(rows.Timestamps[r] / 100));
                Assert.Equal(start, holder.Start);
                holder.Release();
                Assert.Equal(rows.Versions[r] * 10, rows.Columns[0].GetInt64(r));
                Assert.Equal((ulong)(rows.Versions[r] + 1), rows.SeriesIds[r]);
            }
        }

        Banyan.Storage.Rows.WriteBatch within = batch.SelectRows([1, 2]);
        IReadOnlyList<(DateTimeOffset Start, Banyan.Storage.Rows.WriteBatch Rows)> one = controller.SplitBySegment(within);
        Assert.Same(within, Assert.Single(one).Rows);
    }
}
