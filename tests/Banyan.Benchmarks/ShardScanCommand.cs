using System.Diagnostics;
using System.Globalization;
using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- scan [--repeat N]</c>: read speed of a shard holding the peer dataset
/// (3.6 M samples, 10,000 series), through <see cref="Shard.Scan(SeriesTimeFilter, ColumnProjection)"/>
/// only, the API every build since the part format has, so the same file measures an older build
/// (docs/benchmarks.md, "before and after").
/// </summary>
/// <remarks>
/// <para><b>disk</b>: the dataset flushed and merged into one part; then a full scan summing the value
/// column (rows/s), a scan of the last tenth of the time range for every series, and 2,000 scans of one
/// series over the whole range (µs per scan).</para>
/// <para><b>memory</b>: 400,000 samples just written (WAL off, nothing flushed: they sit in memory parts
/// and the write buffer); then 2,000 scans of one series (µs per scan) and a full scan. A build whose
/// reads seal buffered writes pays that once, on the first read; a build whose reads never build
/// anything the shard keeps reads buffered writes through a transient copy on every read.</para>
/// </remarks>
public static class ShardScanCommand
{
    public static int Run(string[] args)
    {
        int repeat = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repeat":
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"scan: unknown argument '{args[i]}' (expected --repeat N)");
                    return 2;
            }
        }

        ShardIngestData data = ShardIngestData.Load();
        WriteBatch[] batches = ShardIngestRun.Batches(data, 10_000);
        ulong[] series = [.. data.Series.Take(data.SeriesCount)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {data.Count:N0} samples, {data.SeriesCount:N0} series, {Environment.ProcessorCount} cores"));
        for (int r = -1; r < repeat; r++)
        {
            string label = r < 0 ? "warm-up" : $"run {r + 1}";
            Disk(batches, series, data, label);
            Memory(batches, series, label);
        }

        return 0;
    }

    private static ShardOptions Options(bool flushEarly) => new()
    {
        Kind = DataKind.Measure,
        WalEnabled = false,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        FlushThresholdBytes = flushEarly ? 64L << 20 : 1L << 30,
        MaxMemoryBytes = flushEarly ? 128L << 20 : 2L << 30,
    };

    private static void Disk(WriteBatch[] batches, ulong[] series, ShardIngestData data, string label)
    {
        string directory = Path.Combine(Path.GetTempPath(), "banyan-scan-" + Guid.NewGuid().ToString("N"));
        try
        {
            using Shard shard = Shard.Open(directory, Options(flushEarly: true));
            foreach (WriteBatch batch in batches)
            {
                shard.Write(batch);
            }

            shard.Flush();
            shard.Merge(force: true);
            long min = data.Timestamps.Min();
            long max = data.Timestamps.Max();

            Stopwatch full = Stopwatch.StartNew();
            (long rows, double sum) = ScanAll(shard, SeriesTimeFilter.All);
            full.Stop();
            Stopwatch recent = Stopwatch.StartNew();
            (long recentRows, _) = ScanAll(shard, new SeriesTimeFilter(null, max - ((max - min) / 10), max));
            recent.Stop();
            double perSeries = SingleSeriesScans(shard, series, 2_000, out long seriesRows);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label,-8} disk    full {rows / full.Elapsed.TotalSeconds,12:N0} rows/s ({rows:N0} rows, sum {sum:E3})  last tenth {recentRows / recent.Elapsed.TotalSeconds,12:N0} rows/s  one series {perSeries,8:F1} µs/scan ({seriesRows:N0} rows)  load {LoadAverage()}"));
        }
        finally
        {
            Delete(directory);
        }
    }

    private static void Memory(WriteBatch[] batches, ulong[] series, string label)
    {
        string directory = Path.Combine(Path.GetTempPath(), "banyan-scan-" + Guid.NewGuid().ToString("N"));
        try
        {
            using Shard shard = Shard.Open(directory, Options(flushEarly: false));
            for (int b = 0; b < 40; b++)
            {
                shard.Write(batches[b]);
            }

            Stopwatch first = Stopwatch.StartNew();
            double firstScan = SingleSeriesScans(shard, series, 1, out _);
            first.Stop();
            double perSeries = SingleSeriesScans(shard, series, 2_000, out long seriesRows);
            Stopwatch full = Stopwatch.StartNew();
            (long rows, _) = ScanAll(shard, SeriesTimeFilter.All);
            full.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label,-8} memory  first read {firstScan,10:F1} µs  one series {perSeries,8:F1} µs/scan ({seriesRows:N0} rows)  full {rows / full.Elapsed.TotalSeconds,12:N0} rows/s ({rows:N0} rows)  load {LoadAverage()}"));
        }
        finally
        {
            Delete(directory);
        }
    }

    private static (long Rows, double Sum) ScanAll(Shard shard, SeriesTimeFilter filter)
    {
        long rows = 0;
        double sum = 0;
        using ShardScan scan = shard.Scan(filter, ColumnProjection.All);
        while (scan.MoveNext())
        {
            rows++;
            ColumnBuffer value = scan.CurrentBlock.Columns[0];
            sum += value.Float64Values[scan.CurrentRow];
        }

        return (rows, sum);
    }

    // Mean µs per scan of one series (a different one each time) over the whole time range.
    private static double SingleSeriesScans(Shard shard, ulong[] series, int count, out long rows)
    {
        ulong[] one = new ulong[1];
        rows = 0;
        Stopwatch watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            one[0] = series[(i * 7919) % series.Length];
            using ShardScan scan = shard.Scan(new SeriesTimeFilter([one[0]], long.MinValue, long.MaxValue), ColumnProjection.All);
            while (scan.MoveNext())
            {
                rows++;
            }
        }

        watch.Stop();
        return watch.Elapsed.TotalMicroseconds / count;
    }

    private static void Delete(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
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
