using Banyan.Grains.Shards;

namespace Banyan.Grains.Tests.Shards;

public sealed class EndedSegmentCompactionTests
{
    private static readonly DateTimeOffset s_end = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_idle = TimeSpan.FromSeconds(30);

    private static bool Due(DateTimeOffset? now = null, TimeSpan? quiet = null, TimeSpan? idle = null) =>
        EndedSegmentCompaction.IsDue(now ?? s_end.AddHours(1), s_end, quiet ?? TimeSpan.FromMinutes(1), idle ?? s_idle);

    [Fact]
    public void An_ended_quiet_segment_is_due() => Assert.True(Due());

    [Fact]
    public void The_segment_still_current_is_not_due()
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
}
