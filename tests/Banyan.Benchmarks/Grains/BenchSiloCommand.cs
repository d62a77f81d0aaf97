using Banyan.GrainInterfaces.Hosting;
using Banyan.Grains.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Benchmarks.Grains;

/// <summary>
/// <c>grains-silo NODE SILO_PORT GATEWAY_PORT DATA_ROOT [PRIMARY_SILO_PORT]</c>: a silo process for the
/// grain call benchmark, wired by the production <c>AddBanyan</c> (localhost clustering; the second
/// silo joins the first), hosting the benchmark grains. Prints READY, runs until stdin closes or SIGTERM.
/// </summary>
public static class BenchSiloCommand
{
    /// <summary>Runs the silo.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: grains-silo NODE SILO_PORT GATEWAY_PORT DATA_ROOT [PRIMARY_SILO_PORT]");
            return 2;
        }

        BanyanSiloOptions options = new()
        {
            NodeName = args[0],
            SiloPort = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture),
            GatewayPort = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
            DataRoot = args[3],
            Cluster = new BanyanClusterOptions
            {
                Mode = ClusterMode.Localhost,
                ClusterId = "bench",
                ServiceId = "bench",
                PrimarySiloEndpoint = args.Length > 4 ? "127.0.0.1:" + args[4] : null,
            },
        };
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.AddBanyan(options));
        using IHost host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("READY");

        // The parent closes stdin (or sends SIGTERM) to stop us.
        Task stdinClosed = Task.Run(() => Console.In.ReadToEnd());
        IHostApplicationLifetime lifetime = host.Services.GetService(typeof(IHostApplicationLifetime)) as IHostApplicationLifetime
            ?? throw new InvalidOperationException("no application lifetime");
        await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping));
        await host.StopAsync(TimeSpan.FromSeconds(20));
        return 0;
    }
}
