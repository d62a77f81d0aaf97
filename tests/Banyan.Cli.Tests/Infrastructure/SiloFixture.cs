namespace Banyan.Cli.Tests.Infrastructure;

/// <summary>One real silo host for every CLI test (starting one takes seconds); tests use their own group names.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private SiloHostProcess? _silo;

    /// <summary>The running silo.</summary>
    public SiloHostProcess Silo => _silo ?? throw new InvalidOperationException("The silo is not running.");

    /// <summary>The silo's HTTP gateway address.</summary>
    public string Address => $"http://127.0.0.1:{Silo.HttpPort}";

    /// <summary>The silo's gRPC address.</summary>
    public string GrpcAddress => $"http://127.0.0.1:{Silo.GrpcPort}";

    public async Task InitializeAsync() => _silo = await SiloHostProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    /// <summary>Runs the CLI in this process against the silo, with captured output.</summary>
    public Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(["--addr", Address, "--grpc-addr", GrpcAddress, .. args]);

    /// <summary>Runs the CLI with <paramref name="stdin"/> as standard input.</summary>
    public Task<CliRun> RunWithInputAsync(string stdin, params string[] args) =>
        CliRun.RunAsync(["--addr", Address, "--grpc-addr", GrpcAddress, .. args], stdin);
}

/// <summary>The collection that shares <see cref="SiloFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedSilo : ICollectionFixture<SiloFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "silo";
}
