using System.Globalization;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- ingest [--repeat N] [--wal on|off|both] [--writers N] [--in-flight N]</c>: the shard
/// ingest run of <see cref="ShardIngestBenchmarks"/> repeated N times in one process, WAL on and off
/// alternating so both see the same machine load, printing one line per run and the median. Quicker
/// than BenchmarkDotNet and steady enough to profile under (perf record with DOTNET_PerfMapEnabled=1).
/// The CPU time per sample (whole process, including the final merge) varies less with the load of a
/// shared machine than the wall-clock rate does.
/// </summary>
public static class ShardIngestCommand
{
    public static int Run(string[] args)
    {
        int repeat = 5;
        int writers = 2;
        int inFlight = 1;
        string wal = "both";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repeat":
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--writers":
                    writers = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--in-flight":
                    inFlight = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--wal":
                    wal = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"ingest: unknown argument '{args[i]}' (expected --repeat N, --wal on|off|both, --writers N, --in-flight N)");
                    return 2;
            }
        }

        bool[] modes = wal switch
        {
            "on" => [true],
            "off" => [false],
            "both" => [true, false],
            _ => [],
        };
        if (modes.Length == 0)
        {
            Console.Error.WriteLine($"ingest: --wal must be on, off or both, not '{wal}'");
            return 2;
        }

        ShardIngestData data = ShardIngestData.Load();
        var batches = ShardIngestRun.Batches(data, 10_000);
        ShardIngestCheck check = ShardIngestCheck.Of(data.Series, data.Timestamps, data.Values);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {data.Count:N0} samples, {data.SeriesCount:N0} series, {batches.Length} batches, {writers} writer(s) with {inFlight} write(s) in flight each, {Environment.ProcessorCount} cores"));

        // One untimed warm-up per mode (JIT, page cache).
        var rates = modes.ToDictionary(m => m, _ => new List<double>());
        for (int r = -1; r < repeat; r++)
        {
            foreach (bool on in modes)
            {
                string directory = Path.Combine(Path.GetTempPath(), "banyan-ingest-" + Guid.NewGuid().ToString("N"));
                try
                {
                    ShardIngestRun.Result result = ShardIngestRun.Run(directory, batches, on, writers, check, inFlight);
                    double cpuSeconds = result.CpuSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(r < 0 ? "warm-up" : $"run {r + 1}"),-8} wal={(on ? "on " : "off")} {result.IngestSeconds,6:F3} s to disk (last {result.TailSeconds:F3} s after the last write)  {result.SamplesPerSecond,12:N0} samples/s  final merge {result.FinalMergeSeconds:F2} s  CPU {cpuSeconds * 1e9 / result.Samples,4:F0} ns/sample ({result.IngestCpuSeconds * 1e9 / result.Samples:F0} to disk, {result.IngestCpuSeconds / result.IngestSeconds:F2} cores)  {(double)result.AllocatedLiveBytes / result.Samples:F3} B/sample  load {LoadAverage()}  writes waited for memory {result.MemoryWaits.Count} times, {result.MemoryWaits.Seconds:F2} s; fsyncs {result.Fsyncs.Count}, {result.Fsyncs.Seconds:F2} s  checked {check.Matched:N0} samples exactly"));
                    if (r >= 0)
                    {
                        rates[on].Add(result.SamplesPerSecond);
                    }
                }
                finally
                {
                    if (Directory.Exists(directory))
                    {
                        Directory.Delete(directory, recursive: true);
                    }
                }
            }
        }

        foreach (bool on in modes)
        {
            List<double> sorted = [.. rates[on].Order()];
            if (sorted.Count > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median wal={(on ? "on " : "off")} {sorted[sorted.Count / 2],12:N0} samples/s (min {sorted[0]:N0}, max {sorted[^1]:N0}, {sorted.Count} runs)"));
            }
        }

        return 0;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
