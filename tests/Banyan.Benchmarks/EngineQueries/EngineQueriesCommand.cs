using System.Diagnostics;
using System.Globalization;
using Banyan.Benchmarks.Load;
using Banyan.Storage.Parts;

namespace Banyan.Benchmarks.EngineQueries;

/// <summary>
/// <c>dotnet Banyan.Benchmarks.dll queries [--runs N] [--warmup N] [--shards N] [--series S] [--points N] [--seed K] [--only NAME] [--block-cache MB]</c>:
/// the peer benchmark's three queries at the engine level. Loads gen.py's dataset (computed in process, bit for bit
/// gen.py's) into <see cref="PeerShards"/> (2 shards by default, as the service's group; WAL on; flushed and merged),
/// then runs Q1, Q2 and Q3 of <see cref="PeerEngineQueries"/> (plus, for comparison, Q2 as one range aggregation per
/// bucket, Q2 as the service's SUM and COUNT requests, and Q3 from the rows) <c>--warmup</c> times untimed and <c>--runs</c> times timed each, in turn, and checks
/// every answer exactly against <see cref="PeerAnswers"/> (outside the timing). Prints one <c>result</c> line per
/// query with the median and p99 in milliseconds; exits 1 if any answer was wrong. <c>--only Q2</c> (etc.) runs one query
/// alone, e.g. to profile it (<c>perf record -p</c> once the first line is printed). <c>--block-cache MB</c> gives the
/// shards a decoded-block cache of that size, as a silo's shards share one (64 MiB by default there; none here unless
/// asked, so that the figures stay comparable with the earlier ones).
/// </summary>
public static class EngineQueriesCommand
{
    /// <summary>Runs the command.</summary>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int runs = 200;
        int warmup = 20;
        int shardCount = 2;
        int series = 10_000;
        int points = 360;
        long seed = 42;
        string? only = null;
        int blockCacheMegabytes = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--runs":
                    runs = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--shards":
                    shardCount = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--series":
                    series = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--points":
                    points = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--only":
                    only = value;
                    break;
                case "--block-cache":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out blockCacheMegabytes))
                    {
                        Console.Error.WriteLine($"queries: --block-cache '{value}': expected a size in MiB, 0 or more (0: no cache)");
                        return 2;
                    }

                    break;
                default:
                    Console.Error.WriteLine($"queries: unknown argument '{args[i]}' (expected --runs N, --warmup N, --shards N, --series S, --points N, --seed K, --only NAME, --block-cache MB)");
                    return 2;
            }

            i++;
        }

        Stopwatch generate = Stopwatch.StartNew();
        PeerDataset dataset = new(series, points, seed);
        PeerAnswers expected = new(dataset);
        generate.Stop();
        string directory = Path.Combine(Path.GetTempPath(), "banyan-queries-" + Guid.NewGuid().ToString("N"));
        try
        {
            Stopwatch load = Stopwatch.StartNew();
            DecodedBlockCache? blockCache = blockCacheMegabytes > 0 ? new DecodedBlockCache((long)blockCacheMegabytes << 20) : null;
            using PeerShards shards = PeerShards.Load(directory, dataset, shardCount, blockCache: blockCache);
            load.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {dataset.Samples:N0} samples, {dataset.Series:N0} series, {shardCount} shard(s), WAL on, block cache {(blockCacheMegabytes > 0 ? $"{blockCacheMegabytes} MiB" : "none")}; dataset {generate.Elapsed.TotalSeconds:F1} s, load + flush + merge {load.Elapsed.TotalSeconds:F1} s; {Environment.ProcessorCount} cores, load {LoadAverage()}"));
            PeerEngineQueries queries = new(shards, dataset);
            List<(string Name, Func<(string Name, double[] Ms, string Detail)> Run)> all =
            [
                ("Q1", () => Time("Q1", warmup, runs, queries.Q1, expected.CheckQ1, _ => $"{points} points")),
                ("Q2", () => Time("Q2", warmup, runs, queries.Q2, expected.CheckQ2, _ => $"{expected.Q2.Counts.Sum():N0} points in {expected.Q2.Counts.Length} buckets, blocks: {queries.BlocksFromStatistics} from statistics, {queries.BlocksDecoded} decoded")),
                ("Q3", () => Time("Q3", warmup, runs, queries.Q3, expected.CheckQ3, _ => $"top 10 of {(dataset.Series + 1) / 3:N0} series, blocks: {queries.BlocksFromStatistics} from statistics, {queries.BlocksDecoded} decoded")),
                ("Q2-per-bucket", () => Time("Q2-per-bucket", warmup, runs, queries.Q2PerBucket, expected.CheckQ2, _ => "one range aggregation per bucket and shard (for comparison)")),
                ("Q2-per-request", () => Time("Q2-per-request", warmup, runs, queries.Q2PerRequest, expected.CheckQ2, _ => "a SUM and a COUNT range aggregation per bucket and shard, as the service's requests")),
                ("Q3-rows", () => Time("Q3-rows", warmup, Math.Max(1, runs / 10), queries.Q3FromRows, expected.CheckQ3, _ => "every row decoded (for comparison)")),
            ];
            Console.Out.Flush();
            List<(string Name, double[] Ms, string Detail)> results = [.. all.Where(q => only is null || q.Name == only).Select(q => q.Run())];
            bool wrong = false;
            foreach ((string name, double[] ms, string detail) in results)
            {
                wrong |= detail.Contains(" WRONG: ", StringComparison.Ordinal);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"result {name} median_ms={Percentile(ms, 0.5):F4} p99_ms={Percentile(ms, 0.99):F4} runs={ms.Length} {detail}"));
            }

            Console.WriteLine($"// load {LoadAverage()}");
            return wrong ? 1 : 0;
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    // Warm-up, then timed runs; every answer (warm-up ones too) checked after its timing. The detail gives the process
    // CPU time per timed run (all threads, over the timed runs and their checks, which are cheap beside them: the
    // process clock counts in ticks of 10 ms, so only the whole span is read), then "WRONG: " and the first difference,
    // or what was checked.
    private static (string Name, double[] Ms, string Detail) Time<T>(string name, int warmup, int runs, Func<T> query, Func<T, string?> check, Func<T, string> what)
    {
        double[] ms = new double[runs];
        string? problem = null;
        T last = default!;
        TimeSpan cpuStart = TimeSpan.Zero;
        for (int i = -warmup; i < runs; i++)
        {
            if (i == 0)
            {
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            }

            long start = Stopwatch.GetTimestamp();
            last = query();
            double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= 0)
            {
                ms[i] = elapsed;
            }

            problem ??= check(last);
        }

        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        string cpuMs = string.Create(CultureInfo.InvariantCulture, $"cpu_ms={cpu.TotalMilliseconds / Math.Max(1, runs):F4}");
        return (name, ms, problem is null ? $"{cpuMs} checked exactly in {warmup + runs} runs: {what(last)}" : $"{cpuMs} WRONG: {problem}");
    }

    /// <summary>The median (mean of the two middle runs for an even count) or the nearest-rank percentile.</summary>
    public static double Percentile(double[] ms, double p)
    {
        ArgumentNullException.ThrowIfNull(ms);
        if (ms.Length == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. ms.Order()];
        if (p == 0.5)
        {
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }

        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
