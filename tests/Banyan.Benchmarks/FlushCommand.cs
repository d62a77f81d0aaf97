using System.Diagnostics;
using System.Globalization;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks;

/// <summary>
/// <c>flush [--parts K] [--samples N] [--repeat R]</c>: a shard's flush alone, as its maintenance runs it. The first N
/// samples of the ingest dataset (time-major, so each memory part is a stretch of time over every series, as a seal's is)
/// are built into K memory parts, which are then written to disk as one part R times: by <see cref="MemoryPart.WriteTo"/>
/// for one part, by <see cref="PartMerger"/> for several (the flush of several seals). Prints the wall time, the process's
/// CPU time and their ratio, the cores the flush kept busy (issue 15: a flush that runs alone should use both).
/// </summary>
public static class FlushCommand
{
    public static int Run(string[] args)
    {
        int parts = 4;
        int repeat = 5;
        int samples = 3_600_000;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--parts":
                    parts = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--repeat":
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--samples":
                    samples = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"flush: unknown argument '{args[i]}' (expected --parts K, --samples N, --repeat R)");
                    return 2;
            }
        }

        if (parts < 1 || repeat < 1 || samples < parts)
        {
            Console.Error.WriteLine("flush: --parts and --repeat must be at least 1, --samples at least --parts");
            return 2;
        }

        ShardIngestData data = ShardIngestData.Load();
        samples = Math.Min(samples, data.Count);
        MemoryPart[] memoryParts = new MemoryPart[parts];
        for (int p = 0; p < parts; p++)
        {
            int start = (int)((long)samples * p / parts);
            int end = (int)((long)samples * (p + 1) / parts);
            WriteBatch batch = new(DataKind.Measure);
            int column = batch.AddColumn(null, "value", ColumnValueType.Float64);
            batch.AppendKeys(data.Series.AsSpan(start, end - start), data.Timestamps.AsSpan(start, end - start), new long[end - start]);
            batch.Columns[column].AppendDoubles(data.Values.AsSpan(start, end - start));
            memoryParts[p] = MemoryPart.Build(batch);
        }

        string root = Path.Combine(Path.GetTempPath(), "banyan-flushbench-" + Environment.ProcessId);
        Directory.CreateDirectory(root);
        Console.WriteLine(Str($"// {samples:N0} samples, {data.SeriesCount:N0} series, {parts} memory part(s), {Environment.ProcessorCount} cores"));
        try
        {
            List<double> cores = [];
            List<double> rates = [];
            for (int r = 0; r <= repeat; r++)
            {
                string folder = Path.Combine(root, "part-" + r);
                GC.Collect();
                TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                Stopwatch wall = Stopwatch.StartNew();
                PartMetadata metadata = parts == 1
                    ? memoryParts[0].WriteTo(folder)
                    : PartMerger.Merge(memoryParts, DataKind.Measure, folder);
                wall.Stop();
                double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                if (metadata.RowCount != samples)
                {
                    Console.Error.WriteLine(Str($"flush: the part holds {metadata.RowCount:N0} rows, not {samples:N0}"));
                    return 1;
                }

                double seconds = wall.Elapsed.TotalSeconds;
                string label = r == 0 ? "warm-up" : Str($"run {r}");
                Console.WriteLine(Str($"{label,-8} {seconds:F3} s  {samples / seconds,12:N0} samples/s  CPU {cpu:F3} s  {cpu / seconds:F2} cores  {metadata.CompressedBytes:N0} B"));
                if (r > 0)
                {
                    cores.Add(cpu / seconds);
                    rates.Add(samples / seconds);
                }

                Directory.Delete(folder, recursive: true);
            }

            Console.WriteLine(Str($"median   {Load.Quantile.Median(rates),12:N0} samples/s  {Load.Quantile.Median(cores):F2} cores ({repeat} runs)"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Str(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
