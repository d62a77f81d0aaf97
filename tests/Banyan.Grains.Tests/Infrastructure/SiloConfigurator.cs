using Banyan.Grains.Testing;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>A silo configurator from a delegate, for per-test settings (fake clock, storage folder).</summary>
public sealed class SiloConfigurator(Action<ISiloBuilder> configure) : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => configure(siloBuilder);
}
