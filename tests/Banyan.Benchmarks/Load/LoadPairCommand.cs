using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// <c>load-pair --a A.dll --b B.dll [options]</c>: two silo builds' write phase compared in the same minutes. Each round
/// starts both builds on fresh data folders and writes gen.py's dataset into both at once (one prepared load generator,
/// its streams to both silos together), then reads each silo's CPU per acknowledged point. Both share whatever the
/// machine does meanwhile, so the ratio B/A of one round compares the builds; <c>load-ab.sh</c> runs them minutes apart
/// and compares the minutes as much as the builds (these shared machines drift by ±20 %).
/// </summary>
/// <remarks>
/// The two silos compete for the two cores, so each writes at about half its rate alone, and whichever finishes first
/// leaves the other the machine for its last part: points per second favour the faster build's rival, which is why the
/// figure compared is CPU per point. Each point's acknowledgement is counted; a round where either side did not get
/// every point acknowledged fails the command.
/// </remarks>
public static class LoadPairCommand
{
    /// <summary>The options, for the usage message.</summary>
    public const string Usage = """
        load-pair: two silo builds written into at once, round after round (the write phase of `load`, no queries).
          --a DLL, --b DLL    the two builds' Banyan.Silo.dll
          --rounds N          rounds (default 3); each starts two fresh silos
          --b-env K=V         environment variable for B's silo only, repeatable: with --a and --b the same build, a
                              runtime setting compared in the same minutes (e.g. --b-env DOTNET_ReadyToRun=0)
          --write-warmup N    before each round's timed writes, N points of each series into both silos (another group,
                              untimed, deleted after; see load): the rounds then compare silos whose JIT has compiled the
                              write path, without the first seconds' JIT and heap growth in the ratio (default: none)
          --series S, --points N, --seed N, --streams K, --shards N   as for load (defaults 10000, 360, 42, 8, 2)
        """;

    /// <summary>Runs the command; 0 when every point was acknowledged in every round.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> options;
        Dictionary<string, string> environmentB;
        int rounds, series, points, seed, streams, shards, warmupPoints;
        try
        {
            environmentB = NamedOptions.Settings(args, "--b-env", out string[] rest);
            options = NamedOptions.Parse(rest, ["--a", "--b", "--rounds", "--series", "--points", "--seed", "--streams", "--shards", "--write-warmup"], ["--a", "--b"]);
            rounds = NamedOptions.Number(options, "--rounds", 3);
            (series, points, seed) = (NamedOptions.Number(options, "--series", 10_000), NamedOptions.Number(options, "--points", 360), NamedOptions.Number(options, "--seed", 42));
            (streams, shards) = (NamedOptions.Number(options, "--streams", 8), NamedOptions.Number(options, "--shards", 2));
            warmupPoints = NamedOptions.Number(options, "--write-warmup", 0, min: 0); // 0: none, as for load
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        PeerDataset dataset = new(series, points, seed);
        LoadWriter writer = new(dataset, streams, LoadClient.Prepared);
        writer.Prepare();
        PeerDataset? warmup = warmupPoints > 0 ? WarmupWrites.Dataset(series, warmupPoints, seed) : null;
        LoadWriter? warmupWriter = warmup is null ? null : new(warmup, streams, LoadClient.Prepared, group: PeerSchema.WarmupGroup);
        warmupWriter?.Prepare();
        string settingsB = environmentB.Count == 0 ? string.Empty : " with " + string.Join(' ', environmentB.Select(e => $"{e.Key}={e.Value}"));
        Console.WriteLine(Str($"load-pair: A {options["--a"]}, B {options["--b"]}{settingsB}; {dataset.Samples:N0} data points into each, {streams} streams each, {rounds} rounds{(warmup is null ? string.Empty : $", each after {warmup.Samples:N0} untimed warm-up points into each")}; machine {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadCommand.LoadAverage()}"));
        List<double> cpuRatios = [];
        bool right = true;
        for (int round = 1; round <= rounds; round++)
        {
            string root = Path.Combine(Path.GetTempPath(), "banyan-load-pair-" + Guid.NewGuid().ToString("N"));
            try
            {
                // The side started first alternates, in case starting order matters.
                bool aFirst = round % 2 == 1;
                string[] dlls = aFirst ? [options["--a"], options["--b"]] : [options["--b"], options["--a"]];
                Dictionary<string, string> noEnvironment = [];
                await using SiloChild first = await SiloChild.StartAsync(dlls[0], Path.Combine(root, "first"), aFirst ? noEnvironment : environmentB, [], TimeSpan.FromSeconds(120));
                await using SiloChild second = await SiloChild.StartAsync(dlls[1], Path.Combine(root, "second"), aFirst ? environmentB : noEnvironment, [], TimeSpan.FromSeconds(120));
                (SiloChild a, SiloChild b) = round % 2 == 1 ? (first, second) : (second, first);
                using GrpcChannel channelA = GrpcChannel.ForAddress(a.GrpcAddress);
                using GrpcChannel channelB = GrpcChannel.ForAddress(b.GrpcAddress);
                using CancellationTokenSource bound = new(TimeSpan.FromMinutes(15));
                if (warmup is not null)
                {
                    // Both at once, as the timed writes: neither silo warms up on a machine the other leaves idle.
                    await Task.WhenAll(
                        WarmupWrites.RunAsync(a, channelA, warmupWriter!, warmup, (uint)shards, 3650, bound.Token),
                        WarmupWrites.RunAsync(b, channelB, warmupWriter!, warmup, (uint)shards, 3650, bound.Token));
                }

                await PeerSchema.CreateAsync(channelA, (uint)shards, 3650, points, bound.Token);
                await PeerSchema.CreateAsync(channelB, (uint)shards, 3650, points, bound.Token);

                Task<(LoadWriteResult Result, double Seconds, double CpuSeconds)> writeA = TimedWriteAsync(writer, a, channelA, bound.Token);
                Task<(LoadWriteResult Result, double Seconds, double CpuSeconds)> writeB = TimedWriteAsync(writer, b, channelB, bound.Token);
                var (resultA, secondsA, cpuA) = await writeA;
                var (resultB, secondsB, cpuB) = await writeB;
                if (resultA.Succeeded != dataset.Samples || resultB.Succeeded != dataset.Samples)
                {
                    Console.WriteLine(Str($"round {round}: FAILED: {resultA.Succeeded:N0} and {resultB.Succeeded:N0} points acknowledged, expected {dataset.Samples:N0} (first failures: {resultA.FirstFailure ?? "none"}; {resultB.FirstFailure ?? "none"})"));
                    right = false;
                }

                double ratio = cpuB / cpuA;
                cpuRatios.Add(ratio);
                Console.WriteLine(Str($"round {round}: A {secondsA:F2} s, {cpuA * 1e9 / dataset.Samples:F0} ns/point; B {secondsB:F2} s, {cpuB * 1e9 / dataset.Samples:F0} ns/point; CPU per point B/A {ratio:F3}"));
                await Task.WhenAll(a.StopAsync(TimeSpan.FromSeconds(120)), b.StopAsync(TimeSpan.FromSeconds(120)));

                // A side whose silo logged warnings or errors did other work than the writes (a failing timer): said here.
                foreach ((string side, SiloChild silo) in new[] { ("A", a), ("B", b) })
                {
                    if (silo.ProblemSummary() is { } summary)
                    {
                        Console.WriteLine(Str($"round {round}: silo {side} {summary}"));
                    }
                }
            }
            finally
            {
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }
            }
        }

        Console.WriteLine(Str($"CPU per point B/A: median {Quantile.Median(cpuRatios):F3} over {rounds} rounds (min {cpuRatios.Min():F3}, max {cpuRatios.Max():F3})"));
        Console.WriteLine(right ? "load-pair: every point acknowledged on both sides" : "load-pair: FAILED (see above)");
        return right ? 0 : 1;
    }

    // One side's write phase: seconds until its last acknowledgement and its silo's CPU seconds meanwhile.
    private static async Task<(LoadWriteResult Result, double Seconds, double CpuSeconds)> TimedWriteAsync(LoadWriter writer, SiloChild silo, GrpcChannel channel, CancellationToken cancellationToken)
    {
        await Task.Yield();
        double cpu0 = silo.CpuSeconds();
        Stopwatch writing = Stopwatch.StartNew();
        LoadWriteResult result = await writer.WriteAsync(channel, silo.GrpcAddress, cancellationToken);
        return (result, writing.Elapsed.TotalSeconds, silo.CpuSeconds() - cpu0);
    }

    private static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
