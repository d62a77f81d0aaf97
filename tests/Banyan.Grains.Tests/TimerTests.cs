using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains.Tests;

/// <summary>Grain timers on a fake clock.</summary>
public sealed class TimerTests
{
    private static async Task<(TestCluster Cluster, FakeTimeProvider Clock)> StartAsync()
    {
        FakeTimeProvider clock = new();
        TestCluster cluster = await Clusters.StartAsync(1, silo => silo.Services.AddSingleton<TimeProvider>(clock));
        return (cluster, clock);
    }

    [Fact]
    public async Task Ticks_never_overlap_and_the_period_counts_from_the_end_of_a_tick()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        ITimerGrain grain = cluster.Primary.GrainFactory.GetGrain<ITimerGrain>(key);
        await grain.Start(failFirst: false);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Signals.Expect(key + ":tick:1", "the first tick is due after 1 s");
        // Tick 1 is still running: ten periods pass without a second tick.
        clock.Advance(TimeSpan.FromSeconds(10));
        Signals.Set(key + ":release:1");
        // Calls queue behind ticks (both are non-interleaving), so this observes the tick count after tick 1.
        Assert.Equal(1, await grain.Ticks());
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(1, await grain.Ticks());
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await Signals.Expect(key + ":tick:2", "the next tick comes one period after the end of the previous one");
        Signals.Set(key + ":release:2");
        Assert.Equal(2, await grain.Ticks());
        Assert.DoesNotContain("overlap", Signals.Log(key));
    }

    [Fact]
    public async Task A_tick_that_throws_is_logged_and_the_timer_goes_on()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        ITimerGrain grain = cluster.Primary.GrainFactory.GetGrain<ITimerGrain>(key);
        await grain.Start(failFirst: true);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Signals.Expect(key + ":tick:1", "first tick");
        Signals.Set(key + ":release:1");
        Assert.Equal(1, await grain.Ticks());
        clock.Advance(TimeSpan.FromSeconds(1));
        await Signals.Expect(key + ":tick:2", "the timer survives a failed tick");
        Signals.Set(key + ":release:2");
    }

    [Fact]
    public async Task The_timer_dies_with_its_activation()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        ITimerGrain grain = cluster.Primary.GrainFactory.GetGrain<ITimerGrain>(key);
        await grain.Start(failFirst: false);
        await grain.Deactivate();
        await Signals.Expect(key + ":deactivated", "the grain deactivates");
        clock.Advance(TimeSpan.FromSeconds(30));
        // A new activation has no timer: its count is zero and no tick was ever logged.
        Assert.Equal(0, await grain.Ticks());
        Assert.Empty(Signals.Log(key));
    }

    [Fact]
    public async Task KeepAlive_ticks_keep_an_activation_from_idle_collection_and_ordinary_ticks_do_not()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string kept = Signals.NewId();
        string plain = Signals.NewId();
        await cluster.Primary.GrainFactory.GetGrain<ITimerOptionsGrain>(kept).StartKeepAlive(keepAlive: true);
        await cluster.Primary.GrainFactory.GetGrain<ITimerOptionsGrain>(plain).StartKeepAlive(keepAlive: false);
        for (int minute = 1; minute <= 20; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            // Let this minute's ticks finish before the next advance, so collection sees their effect.
            await Signals.Expect(kept + ":tick:" + minute, "the keep-alive timer ticks every minute");
            if (minute < 15)
            {
                await Signals.Expect(plain + ":tick:" + minute, "the ordinary timer ticks every minute until collected");
            }
        }

        await Signals.Expect(plain + ":deactivated", "an activation whose ticks are not keep-alive is collected after 15 idle minutes");
        Assert.False(Signals.Wait(kept + ":deactivated").IsCompleted, "keep-alive ticks count as activity");
    }

    [Fact]
    public async Task Interleaving_ticks_run_while_a_non_reentrant_call_awaits()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        ITimerOptionsGrain grain = cluster.Primary.GrainFactory.GetGrain<ITimerOptionsGrain>(key);
        await grain.StartInterleaving();
        Task blocked = grain.Block();
        await Signals.Expect(key + ":blocking", "the call holds the grain");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Signals.Expect(key + ":tick:1", "an Interleave = true tick does not wait for the call");
        Signals.Set(key + ":unblock");
        await blocked;
    }
}
