using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Banyan.Client;
using Banyan.GrainInterfaces.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Benchmarks.Grains;

/// <summary>
/// <c>grains [SEQUENTIAL] [WINDOWED]</c>: grain call cost on Orleans with Banyan's wiring. Starts two
/// silo processes on 127.0.0.1 (<see cref="BenchSiloCommand"/>) and a client in this process, then
/// measures, each with the same method (<see cref="CallMeasurement"/>): grain → grain in one silo,
/// grain → grain across the two silo processes, and client → grain through the gateway.
/// Prints a markdown table for docs/benchmarks.md.
/// </summary>
public static class GrainCallCommand
{
    private const int Outstanding = 64;

    /// <summary>Runs the benchmark.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        int sequential = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
        int windowed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64_000;
        string data = Path.Combine(Path.GetTempPath(), "banyan-grain-bench-" + Guid.NewGuid().ToString("N"));
        int siloA = FreePort(), gatewayA = FreePort(), siloB = FreePort(), gatewayB = FreePort();
        List<Process> silos = [];
        try
        {
            silos.Add(await StartSiloAsync("bench-a", siloA, gatewayA, Path.Combine(data, "a"), null));
            silos.Add(await StartSiloAsync("bench-b", siloB, gatewayB, Path.Combine(data, "b"), siloA));

            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            BanyanClientOptions options = new() { Cluster = new BanyanClusterOptions { Mode = ClusterMode.Localhost, ClusterId = "bench", ServiceId = "bench" } };
            options.GatewayPorts.Clear();
            options.GatewayPorts.Add(gatewayA);
            using IHost client = builder.UseOrleansClient(c => c.AddBanyanClient(options)).Build();
            await client.StartAsync();
            IClusterClient grains = client.Services.GetRequiredService<IClusterClient>();

            IDriverGrain driver = grains.GetGrain<IDriverGrain>(1);
            CallFigures sameSilo = await OnNode.CallAsync("bench-a", () => driver.Measure("bench-a", 1_000_000, sequential, windowed, Outstanding));
            CallFigures crossSilo = await OnNode.CallAsync("bench-a", () => driver.Measure("bench-b", 2_000_000, sequential, windowed, Outstanding));
            IPingGrain[] targets = [.. Enumerable.Range(0, Outstanding).Select(i => grains.GetGrain<IPingGrain>(3_000_000 + i))];
            CallFigures fromClient = await CallMeasurement.MeasureAsync(slot => OnNode.CallAsync("bench-a", () => targets[slot].Ping()), sequential, windowed, Outstanding);
            await client.StopAsync();

            Console.WriteLine($"Orleans grain calls, Release, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}");
            Console.WriteLine();
            Console.WriteLine($"| path | sequential median | sequential p99 | {Outstanding} outstanding: calls/s |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Print("grain → grain, same silo", sameSilo);
            Print("grain → grain, other silo process (TCP, loopback)", crossSilo);
            Print("client process → grain (gateway, TCP, loopback)", fromClient);
            Console.WriteLine();
            Console.WriteLine($"{sequential} sequential calls per path after a warm-up; {sameSilo.WindowedCalls} calls with {Outstanding} in flight.");
            return 0;
        }
        finally
        {
            foreach (Process silo in silos)
            {
                try
                {
                    silo.StandardInput.Close();
                    if (!silo.WaitForExit(TimeSpan.FromSeconds(25)))
                    {
                        silo.Kill();
                    }
                }
                finally
                {
                    silo.Dispose();
                }
            }

            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static void Print(string path, CallFigures f)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {path} | {f.MedianMicroseconds:F1} µs | {f.P99Microseconds:F1} µs | {f.CallsPerSecond:N0} |"));

    private static async Task<Process> StartSiloAsync(string node, int siloPort, int gatewayPort, string dataRoot, int? primaryPort)
    {
        ProcessStartInfo info = new(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            info.ArgumentList.Add(typeof(GrainCallCommand).Assembly.Location);
        }

        foreach (string argument in new[] { "grains-silo", node, Str(siloPort), Str(gatewayPort), dataRoot })
        {
            info.ArgumentList.Add(argument);
        }

        if (primaryPort is { } primary)
        {
            info.ArgumentList.Add(Str(primary));
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start a silo process");
        // Log lines come first on stdout; READY says the silo has started.
        Task<bool> ready = Task.Run(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line == "READY")
                {
                    return true;
                }
            }

            return false;
        });
        if (!await ready.WaitAsync(TimeSpan.FromSeconds(90)))
        {
            process.Kill();
            throw new InvalidOperationException($"silo {node} exited before it started");
        }

        // Keep draining its output so a full pipe never blocks it.
        _ = Task.Run(() => process.StandardOutput.ReadToEnd());
        return process;
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // Below the kernel's ephemeral range: a port-0 pick could be taken by an outgoing connection before the silo binds it.
    private static int FreePort() => Banyan.Tests.Shared.Hosting.LoopbackPorts.Free();
}
