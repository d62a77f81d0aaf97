using Banyan.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// Puts the silos of a test cluster on one fake data clock (<see cref="BanyanClock.Key"/>): segment rotation, expiry and
/// write-path TTL checks follow <see cref="Clock"/>, which tests move by hand; Orleans' own timers keep real time.
/// </summary>
public sealed class FakeClockSiloConfigurator : ISiloConfigurator
{
    /// <summary>The clock shared by the silos of the process (TestCluster runs them in-process).</summary>
    public static FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 10, 10, 0, 0, TimeSpan.Zero));

    /// <inheritdoc/>
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddKeyedSingleton<TimeProvider>(BanyanClock.Key, Clock);
}

/// <summary>
/// Two silos on the fake data clock (<see cref="FakeClockSiloConfigurator"/>), shard drops held on request
/// (<see cref="ShardDropGate"/>), their warnings and errors recorded (<see cref="RecordedWarnings"/>).
/// </summary>
public sealed class FakeClockClusterFixture : ClusterFixture
{
    private readonly FakeTimeProvider _clock = FakeClockSiloConfigurator.Clock;

    /// <summary>The silos' data clock.</summary>
    public FakeTimeProvider Clock => _clock;

    /// <inheritdoc/>
    protected override short InitialSilos => 2;

    /// <inheritdoc/>
    protected override void Configure(TestClusterBuilder builder)
    {
        builder.AddSiloBuilderConfigurator<FakeClockSiloConfigurator>();
        builder.AddSiloBuilderConfigurator<ShardDropGateConfigurator>();
        builder.AddSiloBuilderConfigurator<RecordedWarningsConfigurator>();
    }
}

/// <summary>Test classes sharing the fake-clock cluster.</summary>
[CollectionDefinition(Name)]
public sealed class FakeClockClusterDefinition : ICollectionFixture<FakeClockClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "fake-clock-cluster";
}
