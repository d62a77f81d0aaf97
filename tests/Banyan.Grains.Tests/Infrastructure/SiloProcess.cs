using System.Net;
using System.Reflection;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// The real silo executable (src/Banyan.Silo) run as a child process on 127.0.0.1 with its own
/// ports, node name and data folder; started healthy (its <c>/api/healthz</c> answers SERVING) or failed.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private SiloProcess(ChildProcess process, string nodeName, int gatewayPort, int httpPort)
    {
        Process = process;
        NodeName = nodeName;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
    }

    /// <summary>The process.</summary>
    public ChildProcess Process { get; }

    /// <summary>The configured node name.</summary>
    public string NodeName { get; }

    /// <summary>The client gateway port.</summary>
    public int GatewayPort { get; }

    /// <summary>The HTTP port.</summary>
    public int HttpPort { get; }

    /// <summary>The silo's built executable (Banyan.Silo.dll next to its silo-config folder).</summary>
    public static string ExecutablePath => typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SiloExecutablePath").Value!;

    /// <summary>The silo's Redis configuration file as built next to the executable.</summary>
    public static string RedisConfigPath => Path.Combine(Path.GetDirectoryName(ExecutablePath)!, "silo-config", "silo.redis.json");

    /// <summary>Ports of one silo process.</summary>
    public sealed record Endpoints(int SiloPort, int GatewayPort, int HttpPort, int GrpcPort)
    {
        /// <summary>Four free ports.</summary>
        public static Endpoints Free() => new(Ports.Free(), Ports.Free(), Ports.Free(), Ports.Free());
    }

    /// <summary>Starts a silo and waits (bounded) until it serves.</summary>
    public static async Task<SiloProcess> StartAsync(string dataRoot, string nodeName, Endpoints endpoints, params string[] extraArguments)
    {
        Directory.CreateDirectory(dataRoot);
        List<string> arguments =
        [
            ExecutablePath,
            $"--Silo:NodeName={nodeName}",
            $"--Silo:DataRoot={dataRoot}",
            $"--Silo:SiloPort={endpoints.SiloPort}",
            $"--Silo:GatewayPort={endpoints.GatewayPort}",
            $"--Silo:HttpUrl=http://127.0.0.1:{endpoints.HttpPort}",
            $"--Silo:GrpcUrl=http://127.0.0.1:{endpoints.GrpcPort}",
            .. extraArguments,
        ];
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        ChildProcess process = ChildProcess.Start(dotnet, arguments, dataRoot);
        SiloProcess silo = new(process, nodeName, endpoints.GatewayPort, endpoints.HttpPort);
        try
        {
            await silo.WaitServingAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>Graceful stop (SIGTERM), bounded.</summary>
    public Task<bool> StopAsync() => Process.StopAsync(TimeSpan.FromSeconds(45));

    /// <summary>kill -9.</summary>
    public Task KillAsync() => Process.KillAsync();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private async Task WaitServingAsync(TimeSpan timeout)
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"Silo {NodeName} exited with code {Process.ExitCode} before serving:\n{Process.RecentOutput}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/api/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Silo {NodeName} did not serve /api/healthz within {timeout}:\n{Process.RecentOutput}");
    }
}
