namespace Banyan.Silo.Tests.Infrastructure;

/// <summary>One running silo host shared by the tests of a class (starting one costs seconds); tests use their own group names.</summary>
public sealed class SiloHostFixture : IAsyncLifetime
{
    private SiloHostProcess? _host;

    /// <summary>The host.</summary>
    public SiloHostProcess Host => _host ?? throw new InvalidOperationException("The fixture has not started.");

    /// <inheritdoc/>
    public async Task InitializeAsync() => _host = await SiloHostProcess.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
