using Banyan.Grains.Shards;

namespace Banyan.Grains.Tests.Shards;

public sealed class EndedSegmentCompactionTests
{
    private static readonly DateTimeOffset s_end = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_idle = TimeSpan.FromSeconds(30);
    private const long Limit = 4L << 30;

    private static bool Due(
        DateTimeOffset? now = null, TimeSpan? quiet = null, TimeSpan? idle = null, int diskParts = 5, long diskBytes = 1 << 20, int memoryParts = 0, long bufferedRows = 0) =>
        EndedSegmentCompaction.IsDue(now ?? s_end.AddHours(1), s_end, quiet ?? TimeSpan.FromMinutes(1), idle ?? s_idle, diskParts, diskBytes, Limit, memoryParts, bufferedRows);

    [Fact]
    public void An_ended_quiet_segment_in_several_parts_is_compacted() => Assert.True(Due());

    [Fact]
    public void The_segment_still_current_is_not_compacted()
    {
        Assert.False(Due(now: s_end.AddTicks(-1)));
        Assert.True(Due(now: s_end));
    }

    [Fact]
    public void A_shard_written_to_within_the_idle_time_waits()
    {
        Assert.False(Due(quiet: s_idle - TimeSpan.FromMilliseconds(1)));
        Assert.True(Due(quiet: s_idle));
    }

    [Fact]
    public void Zero_idle_time_turns_compaction_off() => Assert.False(Due(idle: TimeSpan.Zero, quiet: TimeSpan.FromDays(1)));

    [Fact]
    public void One_part_is_already_compact() => Assert.False(Due(diskParts: 1));

    [Fact]
    public void Rows_still_in_memory_wait_for_the_flush()
    {
        Assert.False(Due(memoryParts: 1));
        Assert.False(Due(bufferedRows: 10));
    }

    [Fact]
    public void A_shard_larger_than_the_merge_output_limit_is_left_to_the_tiered_merges()
    {
        Assert.True(Due(diskBytes: Limit));
        Assert.False(Due(diskBytes: Limit + 1));
    }
}
