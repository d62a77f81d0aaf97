using System.Net.Sockets;
using Banyan.Silo;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Orleans;

namespace Banyan.Tests.Shared.Hosting;

/// <summary>
/// The real silo host (<see cref="SiloHost.Build"/>) in this process on free loopback ports with its own data folder,
/// started and stopped by the test, bounded in time. <see cref="RestartAsync"/> stops it and starts a new host on the
/// same data folder (the same node name and file grain state), as a silo restart does. Shared by the silo tests and the
/// conformance suites' <c>silo-grpc</c> target.
/// </summary>
public sealed class SiloHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_stopBound = TimeSpan.FromSeconds(60);
    private readonly string[] _extraArgs;
    private WebApplication? _app;
    private GrpcChannel? _channel;

    private SiloHostProcess(string dataRoot, string[] extraArgs)
    {
        DataRoot = dataRoot;
        _extraArgs = extraArgs;
    }

    /// <summary>The silo's data folder.</summary>
    public string DataRoot { get; }

    /// <summary>The gRPC endpoint's port.</summary>
    public int GrpcPort { get; private set; }

    /// <summary>The Orleans silo-to-silo port: another host joins this one with <c>--Silo:Cluster:PrimarySiloEndpoint=127.0.0.1:</c> and it.</summary>
    public int SiloPort { get; private set; }

    /// <summary>The HTTP/1.1 endpoint's port (health, metrics, the HTTP gateway under <c>/api</c>).</summary>
    public int HttpPort { get; private set; }

    /// <summary>A channel to the gRPC endpoint (HTTP/2 without TLS).</summary>
    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("The host is not running.");

    /// <summary>The running host's services.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The host is not running.");

    /// <summary>The running silo's grain factory (grain calls from inside the host, as the gRPC services make them).</summary>
    public IGrainFactory Grains() => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IGrainFactory>(Services);

    /// <summary>Starts a host on a new temporary data folder; <paramref name="extraArgs"/> are more command-line settings.</summary>
    public static async Task<SiloHostProcess> StartAsync(params string[] extraArgs)
    {
        SiloHostProcess host = new(Path.Combine(Path.GetTempPath(), "banyan-silo-" + Guid.NewGuid().ToString("N")), extraArgs);
        await host.StartHostAsync([]);
        return host;
    }

    /// <summary>
    /// Stops the host gracefully and starts a new one on the same data folder (new ports); <paramref name="moreArgs"/>
    /// are command-line settings for this start only.
    /// </summary>
    public async Task RestartAsync(params string[] moreArgs)
    {
        await StopAsync();
        await StartHostAsync(moreArgs);
    }

    /// <summary>Stops the host (if running) and deletes its data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Directory.Exists(DataRoot))
            {
                Directory.Delete(DataRoot, recursive: true);
            }
        }
    }

    /// <summary>Stops the host gracefully (bounded).</summary>
    public async Task StopAsync()
    {
        _channel?.Dispose();
        _channel = null;
        if (_app is { } app)
        {
            _app = null;
            try
            {
                using CancellationTokenSource bound = new(s_stopBound);
                await app.StopAsync(bound.Token);
            }
            finally
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>A free TCP port on 127.0.0.1.</summary>
    public static int FreeLoopbackPort() => LoopbackPorts.Free();

    // A port found free can be taken by another test before the host binds it (CI saw "address already in use"): the
    // start is tried again on other ports, a few times.
    private async Task StartHostAsync(string[] moreArgs)
    {
        const int attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnFreePortsAsync(moreArgs);
                return;
            }
            catch (Exception e) when (attempt < attempts && IsAddressInUse(e))
            {
            }
        }
    }

    private async Task StartOnFreePortsAsync(string[] moreArgs)
    {
        GrpcPort = FreeLoopbackPort();
        HttpPort = FreeLoopbackPort();
        SiloPort = FreeLoopbackPort();
        WebApplication app = SiloHost.Build(
        [
            $"--Silo:HttpUrl=http://127.0.0.1:{HttpPort}",
            $"--Silo:GrpcUrl=http://127.0.0.1:{GrpcPort}",
            $"--Silo:SiloPort={SiloPort}",
            $"--Silo:GatewayPort={FreeLoopbackPort()}",
            $"--Silo:DataRoot={DataRoot}",
            "--Logging:LogLevel:Default=Warning",
            .. _extraArgs,
            .. moreArgs,
        ]);
        using CancellationTokenSource bound = new(s_startBound);
        try
        {
            await app.StartAsync(bound.Token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        _app = app;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}");
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            // Kestrel's IOException wraps AddressInUseException, which wraps the socket's error.
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsAddressInUse))
            {
                return true;
            }
        }

        return false;
    }
}
