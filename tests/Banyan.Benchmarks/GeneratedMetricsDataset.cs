using System.Diagnostics;
using System.Globalization;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks;

/// <summary>
/// The peer-benchmark dataset of <c>shared/bench/peers/gen.py</c> (10,000 series × 360 points by
/// default), loaded from its CSV into sorted columnar arrays. The CSV is taken from
/// <c>BANYAN_BENCH_DATA</c> (a data.csv file or the folder holding it) or generated into a temporary
/// folder by running gen.py (found through <c>BANYAN_BENCH_GEN</c> or next to the repository, in
/// <c>../shared/bench/peers/gen.py</c>). Generated data is never committed.
/// </summary>
public sealed class GeneratedMetricsDataset
{
    private static GeneratedMetricsDataset? s_cached;

    private GeneratedMetricsDataset(ulong[] seriesIds, long[] timestamps, double[] values, int seriesCount, string source)
    {
        SeriesIds = seriesIds;
        Timestamps = timestamps;
        Values = values;
        SeriesCount = seriesCount;
        Source = source;
    }

    /// <summary>Series id of each sample (series numbered 1.. in order of first appearance), sorted.</summary>
    public ulong[] SeriesIds { get; }

    /// <summary>Timestamp of each sample, nanoseconds, ascending within a series.</summary>
    public long[] Timestamps { get; }

    /// <summary>Value of each sample.</summary>
    public double[] Values { get; }

    /// <summary>Number of series.</summary>
    public int SeriesCount { get; }

    /// <summary>Where the CSV came from.</summary>
    public string Source { get; }

    /// <summary>Number of samples.</summary>
    public int SampleCount => Values.Length;

    /// <summary>Loads (once per process) the dataset.</summary>
    public static GeneratedMetricsDataset Load()
    {
        return s_cached ??= LoadCore();
    }

    /// <summary>A measure write batch of all samples: one float field "value", version 1.</summary>
    public WriteBatch ToBatch()
    {
        var batch = new WriteBatch(DataKind.Measure);
        int value = batch.AddColumn(null, "value", ColumnValueType.Float64);
        long[] versions = new long[SampleCount];
        Array.Fill(versions, 1L);
        batch.AppendKeys(SeriesIds, Timestamps, versions);
        batch.Columns[value].AppendDoubles(Values);
        return batch;
    }

    private static GeneratedMetricsDataset LoadCore()
    {
        string csv = FindOrGenerateCsv();
        var seriesIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var perSeries = new List<List<(long Ts, double Value)>>();
        using (var reader = new StreamReader(csv))
        {
            string? header = reader.ReadLine();
            if (header is null || !header.StartsWith("metric,", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{csv}: not a gen.py CSV (header '{header}')");
            }

            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                int lastComma = line.LastIndexOf(',');
                int tsComma = line.LastIndexOf(',', lastComma - 1);
                string key = line[..tsComma];
                long ms = long.Parse(line.AsSpan(tsComma + 1, lastComma - tsComma - 1), CultureInfo.InvariantCulture);
                double value = double.Parse(line.AsSpan(lastComma + 1), CultureInfo.InvariantCulture);
                if (!seriesIndex.TryGetValue(key, out int index))
                {
                    index = perSeries.Count;
                    seriesIndex.Add(key, index);
                    perSeries.Add([]);
                }

                perSeries[index].Add((Banyan.Storage.Rows.Timestamps.FromUnixMilliseconds(ms), value));
            }
        }

        int total = 0;
        foreach (List<(long Ts, double Value)> series in perSeries)
        {
            total += series.Count;
        }

        ulong[] ids = new ulong[total];
        long[] timestamps = new long[total];
        double[] values = new double[total];
        int k = 0;
        for (int s = 0; s < perSeries.Count; s++)
        {
            List<(long Ts, double Value)> series = perSeries[s];
            series.Sort((a, b) => a.Ts.CompareTo(b.Ts));
            foreach ((long ts, double value) in series)
            {
                ids[k] = (ulong)s + 1;
                timestamps[k] = ts;
                values[k] = value;
                k++;
            }
        }

        return new GeneratedMetricsDataset(ids, timestamps, values, perSeries.Count, csv);
    }

    private static string FindOrGenerateCsv()
    {
        string? given = Environment.GetEnvironmentVariable("BANYAN_BENCH_DATA");
        if (!string.IsNullOrEmpty(given))
        {
            string path = Directory.Exists(given) ? Path.Combine(given, "data.csv") : given;
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"BANYAN_BENCH_DATA points to '{given}', which has no data.csv", path);
            }

            return path;
        }

        string output = Path.Combine(Path.GetTempPath(), "banyan-bench-peers-s10000-n360");
        string csv = Path.Combine(output, "data.csv");
        if (File.Exists(csv))
        {
            return csv;
        }

        string generator = Environment.GetEnvironmentVariable("BANYAN_BENCH_GEN") ?? FindGenerator();
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { generator, "--formats", "csv", "--order", "series", "--out", output },
            UseShellExecute = false,
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("cannot start python3");
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill();
            throw new TimeoutException("gen.py did not finish within 5 minutes");
        }

        if (process.ExitCode != 0 || !File.Exists(csv))
        {
            throw new InvalidOperationException($"gen.py exited with {process.ExitCode} and wrote no {csv}");
        }

        return csv;
    }

    private static string FindGenerator()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Banyan.Orleans.sln")))
            {
                string candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "bench", "peers", "gen.py"));
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("gen.py not found: set BANYAN_BENCH_DATA to a data.csv or BANYAN_BENCH_GEN to gen.py");
    }
}
