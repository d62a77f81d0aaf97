using Banyan.Grains.Testing;
using Banyan.Grains.Tests.Grains;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Grains.Tests;

/// <summary>Activation life cycle on a fake clock: each test has its own one-silo cluster and clock.</summary>
public sealed class LifecycleTests
{
    private static async Task<(TestCluster Cluster, FakeTimeProvider Clock)> StartAsync(Action<ISiloBuilder>? configure = null)
    {
        FakeTimeProvider clock = new();
        TestCluster cluster = await Clusters.StartAsync(1, silo =>
        {
            silo.Services.AddSingleton<TimeProvider>(clock);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            configure?.Invoke(silo);
        });
        return (cluster, clock);
    }

    [Fact]
    public async Task Idle_activations_are_collected_after_the_default_15_minutes()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        ILifecycleGrain grain = cluster.Primary.GrainFactory.GetGrain<ILifecycleGrain>(key);
        await grain.Touch();
        Assert.Equal(1, cluster.Primary.ActivationCount);
        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.False(Signals.Wait(key + ":deactivated").IsCompleted, "collected before its age limit");
        clock.Advance(TimeSpan.FromMinutes(2));
        await Signals.Expect(key + ":deactivated", "the idle activation is collected after 15 minutes");
        Assert.Equal(["activate", "deactivate:ActivationIdle"], Signals.Log(key));
        // The next call activates it again.
        await grain.Touch();
        Assert.Equal(["activate", "deactivate:ActivationIdle", "activate"], Signals.Log(key));
    }

    [Fact]
    public async Task CollectionAgeLimit_shortens_the_idle_time_of_one_class()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string shortKey = Signals.NewId();
        string defaultKey = Signals.NewId();
        await cluster.Primary.GrainFactory.GetGrain<IShortLivedGrain>(shortKey).Touch();
        await cluster.Primary.GrainFactory.GetGrain<ILifecycleGrain>(defaultKey).Touch();
        clock.Advance(TimeSpan.FromMinutes(3));
        await Signals.Expect(shortKey + ":deactivated", "[CollectionAgeLimit(Minutes = 2)] applies");
        Assert.False(Signals.Wait(defaultKey + ":deactivated").IsCompleted, "the default class keeps its 15 minutes");
    }

    [Fact]
    public async Task CollectionAge_is_configurable_per_silo()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync(silo => silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(5)));
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        await cluster.Primary.GrainFactory.GetGrain<ILifecycleGrain>(key).Touch();
        clock.Advance(TimeSpan.FromMinutes(6));
        await Signals.Expect(key + ":deactivated", "the silo's 5-minute collection age applies");
    }

    [Fact]
    public async Task DelayDeactivation_keeps_an_idle_activation_alive()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        ILifecycleGrain grain = cluster.Primary.GrainFactory.GetGrain<ILifecycleGrain>(key);
        await grain.Delay(TimeSpan.FromMinutes(40));
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.False(Signals.Wait(key + ":deactivated").IsCompleted, "collected despite DelayDeactivation");
        clock.Advance(TimeSpan.FromMinutes(11));
        await Signals.Expect(key + ":deactivated", "collected once the delay is over");
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_current_call_and_the_next_call_reactivates()
    {
        (TestCluster cluster, FakeTimeProvider _) = await StartAsync();
        await using TestCluster __ = cluster;
        string key = Signals.NewId();
        ILifecycleGrain grain = cluster.Primary.GrainFactory.GetGrain<ILifecycleGrain>(key);
        await grain.Deactivate();
        await Signals.Expect(key + ":deactivated", "DeactivateOnIdle deactivates");
        await grain.Touch();
        Assert.Equal(["activate", "deactivate:ApplicationRequested", "activate"], Signals.Log(key));
    }

    [Fact]
    public async Task Stopping_a_silo_deactivates_its_grains_with_ShuttingDown()
    {
        (TestCluster cluster, FakeTimeProvider _) = await StartAsync();
        string key = Signals.NewId();
        await cluster.Primary.GrainFactory.GetGrain<ILifecycleGrain>(key).Touch();
        await cluster.StopSiloAsync(cluster.Primary);
        Assert.Equal(["activate", "deactivate:ShuttingDown"], Signals.Log(key));
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_call_that_does_not_answer_in_time_raises_TimeoutException_naming_grain_method_and_timeout()
    {
        (TestCluster cluster, FakeTimeProvider clock) = await StartAsync();
        await using TestCluster _ = cluster;
        string key = Signals.NewId();
        Task<int> call = cluster.Primary.GrainFactory.GetGrain<ISlowGrain>(key).NeverAnswers();
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Contains("ISlowGrain.NeverAnswers", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains("00:00:05", e.Message, StringComparison.Ordinal);
        Signals.Set(key + ":never");
    }

    [Fact]
    public async Task Calls_that_arrive_while_a_grain_deactivates_are_served_by_a_new_activation()
    {
        (TestCluster cluster, FakeTimeProvider _) = await StartAsync();
        await using TestCluster __ = cluster;
        string key = Signals.NewId();
        ISlowDeactivationGrain grain = cluster.Primary.GrainFactory.GetGrain<ISlowDeactivationGrain>(key);
        string first = await grain.Instance();
        await grain.Deactivate();
        await Signals.Expect(key + ":deactivating", "OnDeactivateAsync runs");
        Task<string> during = grain.Instance();
        Assert.False(await Task.WhenAny(during, Task.Delay(200)) == during, "a call ran on a deactivating activation");
        Signals.Set(key + ":finish");
        string second = await during;
        Assert.NotEqual(first, second);
        Assert.Equal(second, await grain.Instance());
    }
}
