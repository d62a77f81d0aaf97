using Banyan.Grains.TopN;

namespace Banyan.Grains.Tests.TopN;

/// <summary>Which opened TopN windows read their stored lists: those an earlier activation may have stored, and reopened ones.</summary>
public sealed class TopNSeedNeedTests
{
    [Fact]
    public void Until_the_latest_stored_window_is_known_the_answer_is_open()
    {
        TopNSeedNeed need = new();
        Assert.Null(need.MustRead("g", "top", true, 60));
        Assert.True(need.IsStored(60)); // unknown: assume stored
    }

    [Fact]
    public void Windows_after_the_latest_stored_one_do_not_read_and_those_at_or_before_it_do()
    {
        TopNSeedNeed need = new();
        need.StoredUpTo(120);
        Assert.True(need.MustRead("g", "top", true, 60));
        Assert.True(need.MustRead("g", "top", true, 120));
        Assert.False(need.MustRead("g", "top", true, 180));
        Assert.False(need.IsStored(180));
        Assert.True(need.IsStored(120));
    }

    [Fact]
    public void A_window_opened_before_in_this_activation_reads_whatever_the_stored_horizon()
    {
        TopNSeedNeed need = new();
        need.StoredUpTo(long.MinValue); // nothing stored before this activation
        Assert.False(need.MustRead("g", "top", true, 180));
        Assert.True(need.MustRead("g", "top", true, 180)); // this activation may have flushed it since
        Assert.False(need.MustRead("g", "top", false, 180)); // the other direction is another list
        Assert.False(need.MustRead("g", "other", true, 180));
    }

    [Fact]
    public void An_unknown_horizon_makes_every_window_read()
    {
        TopNSeedNeed need = new();
        need.StoredUpTo(long.MaxValue);
        Assert.True(need.MustRead("g", "top", true, long.MaxValue - 1));
    }
}
