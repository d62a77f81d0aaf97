using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;

namespace Banyan.Benchmarks.Load;

/// <summary>
/// <c>query-pair --kept DIR --a A.dll --b B.dll [options]</c>: two silo builds' query latency and CPU compared side by
/// side, each on its own copy of one kept data folder, both running at once and queried in turn: a block of runs on one,
/// then the same block on the other, the order swapped every round. Whatever else the machine does in a moment (these
/// machines are shared, and their speed drifts by ±20 % within minutes) falls on both builds alike, so the ratio of
/// neighbouring blocks compares the builds where two runs minutes apart (<c>query-ab.sh</c>) would compare the moments.
/// </summary>
/// <remarks>
/// Both silos are idle between their blocks (a kept folder is settled: no flush or merge left), so one does not slow the
/// other. Latency: the median of each block; the ratio reported is the median over rounds of B's block median over A's.
/// CPU: <c>/proc/&lt;pid&gt;/stat</c> counts in 10 ms ticks, too coarse for one block, so the ratio is of the totals
/// over every round. Every block's first answer is checked; a wrong one fails the command.
/// </remarks>
public static class QueryPairCommand
{
    /// <summary>The options, for the usage message.</summary>
    public const string Usage = """
        query-pair: two silo builds queried in turn on copies of one kept data folder (made by `load --keep --data DIR`).
          --kept DIR          the kept folder (its --series, --points and --seed must match the ones given here)
          --a DLL, --b DLL    the two builds' Banyan.Silo.dll
          --queries NAMES     comma-separated, of Q1 Q2 Q3 TopN (default Q1,Q2,Q3)
          --rounds N          rounds per query (default 40); --runs N  runs per block (default 20)
          --warm-seconds S    first, S seconds of every query on both silos in turn, untimed (default 20)
          --series S, --points N, --seed N   the dataset the folder holds (defaults 10000, 360, 42)
          --b-env K=V         environment variable for B's silo only, repeatable: with --a and --b the same build, a
                              runtime setting compared in the same minutes
        """;

    /// <summary>Runs the command; 0 when every answer was right.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> options;
        Dictionary<string, string> environmentB;
        string[] names;
        int rounds, runs, warmSeconds, series, points, seed;
        try
        {
            environmentB = NamedOptions.Settings(args, "--b-env", out string[] rest);
            options = NamedOptions.Parse(rest, ["--kept", "--a", "--b", "--queries", "--rounds", "--runs", "--warm-seconds", "--series", "--points", "--seed"], ["--kept", "--a", "--b"]);
            names = options.GetValueOrDefault("--queries", "Q1,Q2,Q3").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.FirstOrDefault(n => n is not ("Q1" or "Q2" or "Q3" or "TopN")) is { } unknown)
            {
                throw new ArgumentException($"--queries: no query named '{unknown}' (Q1, Q2, Q3 or TopN)");
            }

            if (!Directory.Exists(options["--kept"]))
            {
                throw new ArgumentException($"--kept {options["--kept"]}: no such folder (make one with load --keep --data DIR)");
            }

            rounds = NamedOptions.Number(options, "--rounds", 40);
            runs = NamedOptions.Number(options, "--runs", 20);
            warmSeconds = NamedOptions.Number(options, "--warm-seconds", 20);
            (series, points, seed) = (NamedOptions.Number(options, "--series", 10_000), NamedOptions.Number(options, "--points", 360), NamedOptions.Number(options, "--seed", 42));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string kept = options["--kept"];
        PeerDataset dataset = new(series, points, seed);
        PeerQueries queries = new(dataset);

        string root = Path.Combine(Path.GetTempPath(), "banyan-query-pair-" + Guid.NewGuid().ToString("N"));
        try
        {
            Console.WriteLine(Str($"query-pair: {kept}, A {options["--a"]}, B {options["--b"]}{string.Concat(environmentB.Select(e => $" {e.Key}={e.Value}"))}; {rounds} rounds of {runs} runs per query; machine {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadCommand.LoadAverage()}"));
            LoadCommand.CopyFolder(kept, Path.Combine(root, "a"));
            LoadCommand.CopyFolder(kept, Path.Combine(root, "b"));
            Dictionary<string, string> noEnvironment = [];
            await using SiloChild a = await SiloChild.StartAsync(options["--a"], Path.Combine(root, "a"), noEnvironment, [], TimeSpan.FromSeconds(120));
            await using SiloChild b = await SiloChild.StartAsync(options["--b"], Path.Combine(root, "b"), environmentB, [], TimeSpan.FromSeconds(120));
            using GrpcChannel channelA = GrpcChannel.ForAddress(a.GrpcAddress);
            using GrpcChannel channelB = GrpcChannel.ForAddress(b.GrpcAddress);
            using CancellationTokenSource bound = new(TimeSpan.FromMinutes(30));
            (SiloChild Silo, Func<Task<AnswerCheck>>[] Queries)[] sides =
            [
                (a, [.. names.Select(n => queries.Runner(channelA, n, bound.Token)!)]),
                (b, [.. names.Select(n => queries.Runner(channelB, n, bound.Token)!)]),
            ];

            long visibleA = await queries.CountVisibleAsync(channelA, bound.Token);
            long visibleB = await queries.CountVisibleAsync(channelB, bound.Token);
            if (visibleA != dataset.Samples || visibleB != dataset.Samples)
            {
                Console.WriteLine(Str($"query-pair: FAILED: {visibleA:N0} and {visibleB:N0} data points visible, expected {dataset.Samples:N0} (does the kept folder hold this dataset?)"));
                return 1;
            }

            // Both silos warmed alike: their tier-1 JIT and caches settle in seconds, not in a number of runs.
            Stopwatch warming = Stopwatch.StartNew();
            while (warming.Elapsed < TimeSpan.FromSeconds(warmSeconds))
            {
                foreach ((SiloChild _, Func<Task<AnswerCheck>>[] side) in sides)
                {
                    foreach (Func<Task<AnswerCheck>> query in side)
                    {
                        (await query())();
                    }
                }
            }

            bool right = true;
            for (int q = 0; q < names.Length; q++)
            {
                List<double> latencyRatios = [];
                List<double>[] medians = [[], []];
                double[] cpuSeconds = new double[2];
                for (int round = 0; round < rounds; round++)
                {
                    foreach (int side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                    {
                        (SiloChild silo, Func<Task<AnswerCheck>>[] sideQueries) = sides[side];
                        double cpu0 = silo.CpuSeconds();
                        double[] times = new double[runs];
                        for (int i = 0; i < runs; i++)
                        {
                            // Timed until the answer's bytes are in; parsed and checked after (every run).
                            long start = Stopwatch.GetTimestamp();
                            AnswerCheck answer = await sideQueries[q]();
                            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                            if (answer() is { } check && !PeerQueries.IsRight(check) && right)
                            {
                                Console.WriteLine($"{names[q]} on {(side == 0 ? "A" : "B")}: WRONG answer: {check}");
                                right = false;
                            }
                        }

                        cpuSeconds[side] += silo.CpuSeconds() - cpu0;
                        medians[side].Add(Quantile.Median(times));
                    }

                    latencyRatios.Add(medians[1][^1] / medians[0][^1]);
                }

                double totalRuns = (double)rounds * runs;
                Console.WriteLine(Str($"{names[q]}: latency A {Quantile.Median(medians[0]):F2} ms, B {Quantile.Median(medians[1]):F2} ms (medians of block medians); B/A {Quantile.Median(latencyRatios):F3} (quartiles {Quantile.Of(latencyRatios, 0.25):F3}–{Quantile.Of(latencyRatios, 0.75):F3}, {latencyRatios.Count(r => r < 1)} of {rounds} rounds below 1); silo CPU per run A {cpuSeconds[0] * 1e3 / totalRuns:F2} ms, B {cpuSeconds[1] * 1e3 / totalRuns:F2} ms, B/A {cpuSeconds[1] / cpuSeconds[0]:F3}"));
            }

            await a.StopAsync(TimeSpan.FromSeconds(60));
            await b.StopAsync(TimeSpan.FromSeconds(60));
            foreach ((string side, SiloChild silo) in new[] { ("A", a), ("B", b) })
            {
                if (silo.ProblemSummary() is { } summary)
                {
                    Console.WriteLine(Str($"query-pair: silo {side} {summary}"));
                }
            }

            Console.WriteLine(right ? "query-pair: every answer correct" : "query-pair: FAILED (see above)");
            return right ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
