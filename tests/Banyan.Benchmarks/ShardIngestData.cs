using System.Globalization;

namespace Banyan.Benchmarks;

/// <summary>
/// The peer benchmark dataset (<c>../shared/bench/peers/gen.py --formats csv</c>, time-major) in
/// memory: per sample a series id, a timestamp in nanoseconds and a value. Entity tags are not
/// kept per row: in Banyan they live in the series index, as in VictoriaMetrics' indexdb.
/// </summary>
public sealed class ShardIngestData
{
    /// <summary>Environment variable naming the CSV file; default <c>/tmp/banyan-bench-data/data.csv</c>.</summary>
    public const string PathVariable = "BANYAN_BENCH_DATA";

    private ShardIngestData(ulong[] series, long[] timestamps, double[] values, int seriesCount)
    {
        Series = series;
        Timestamps = timestamps;
        Values = values;
        SeriesCount = seriesCount;
    }

    public ulong[] Series { get; }

    public long[] Timestamps { get; }

    public double[] Values { get; }

    public int SeriesCount { get; }

    public int Count => Series.Length;

    public static ShardIngestData Load()
    {
        string path = Environment.GetEnvironmentVariable(PathVariable) ?? "/tmp/banyan-bench-data/data.csv";
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"dataset missing: run `python3 ../shared/bench/peers/gen.py --formats csv --out {Path.GetDirectoryName(path)}` or set {PathVariable}", path);
        }

        List<ulong> series = new(3_600_000);
        List<long> timestamps = new(3_600_000);
        List<double> values = new(3_600_000);
        Dictionary<string, ulong> ids = new(StringComparer.Ordinal);
        using StreamReader reader = new(path);
        reader.ReadLine(); // header
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int lastComma = line.LastIndexOf(',');
            int timeComma = line.LastIndexOf(',', lastComma - 1);
            string key = line[..timeComma];
            if (!ids.TryGetValue(key, out ulong id))
            {
                // Stand-in for the series hash (xxHash64 of the entity): well spread, stable.
                id = Mix((ulong)ids.Count + 1);
                ids.Add(key, id);
            }

            series.Add(id);
            timestamps.Add(long.Parse(line.AsSpan(timeComma + 1, lastComma - timeComma - 1), CultureInfo.InvariantCulture) * 1_000_000);
            values.Add(double.Parse(line.AsSpan(lastComma + 1), CultureInfo.InvariantCulture));
        }

        return new ShardIngestData([.. series], [.. timestamps], [.. values], ids.Count);
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
