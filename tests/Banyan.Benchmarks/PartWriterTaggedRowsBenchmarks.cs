using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// A merge's part writer fed rows that carry byte strings (a measure's entity tags, one value per series shared by its
/// rows, as a decoded dictionary column or a seal gives them, plus a float field), in runs of a source block as
/// <see cref="PartMergeIterator"/> gives them, with the blocks encoded on one thread or two
/// (<see cref="PartWriterOptions.ParallelEncoding"/>, on by default on a machine with more than one core); and the same
/// blocks written whole, as a flush writes a memory part; and the runs appended row by row, as before equal-size rows
/// were taken as ranges.
/// Run: <c>dotnet run -c Release --project tests/Banyan.Benchmarks -- --filter *PartWriterTaggedRows*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 15)]
public class PartWriterTaggedRowsBenchmarks
{
    private const int Series = 2_000;
    private const int SourcesPerSeries = 4;
    private const int RowsPerSource = 90;

    private readonly List<Block> _sources = [];
    private MemoryPart _memoryPart = null!;
    private string _root = null!;
    private int _iteration;

    /// <summary>Rows written per operation (divide by the mean time for rows/s).</summary>
    public static int Rows => Series * SourcesPerSeries * RowsPerSource;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        long time = 1_700_000_000_000;
        for (int s = 0; s < Series; s++)
        {
            ulong seriesId = (ulong)(s + 1) << 40; // ascending, as a part holds them
            string service = "service-" + (s % 50);
            string instance = $"{service}-instance-{s % 7}.cluster.local";
            string endpoint = $"/api/v1/resource/{s}/items";
            for (int p = 0; p < SourcesPerSeries; p++)
            {
                var block = new Block();
                block.Reset(seriesId);
                ColumnBuffer[] tags =
                [
                    block.AddColumn("default", "service", ColumnValueType.String),
                    block.AddColumn("default", "instance", ColumnValueType.String),
                    block.AddColumn("default", "endpoint", ColumnValueType.String),
                ];
                ColumnBuffer value = block.AddColumn(null, "value", ColumnValueType.Float64);
                for (int r = 0; r < RowsPerSource; r++)
                {
                    block.AppendKey(time + ((p * RowsPerSource) + r) * 10_000L, 1);
                    tags[0].AppendIfNew(service, r);
                    tags[1].AppendIfNew(instance, r);
                    tags[2].AppendIfNew(endpoint, r);
                    value.AppendDouble(random.NextDouble() * 1_000);
                }

                _sources.Add(block);
            }
        }

        _memoryPart = MemoryPart.FromBlocks(DataKind.Measure, [.. _sources], ["default"]);
        _root = Path.Combine(Path.GetTempPath(), "banyan-taggedrows-" + Environment.ProcessId);
        Directory.CreateDirectory(_root);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>Blocks encoded on the writer's thread and a pool thread (the default), or on the writer's alone.</summary>
    [Params(false, true)]
    public bool ParallelEncoding { get; set; }

    [Benchmark]
    public long AppendRuns()
    {
        using var writer = NewWriter(out string folder);
        foreach (Block source in _sources)
        {
            writer.AppendRows(source, 0, source.Count);
        }

        return Finish(writer, folder);
    }

    /// <summary>
    /// The same runs appended one row at a time (<see cref="PartWriter.AppendRow"/>): what <see cref="AppendRuns"/> did for
    /// rows with byte strings before it took runs of equal-size rows as ranges; the files are the same
    /// (<c>EqualSizeRowRangeTests</c>).
    /// </summary>
    [Benchmark]
    public long AppendRowByRow()
    {
        using var writer = NewWriter(out string folder);
        foreach (Block source in _sources)
        {
            for (int row = 0; row < source.Count; row++)
            {
                writer.AppendRow(source, row);
            }
        }

        return Finish(writer, folder);
    }

    /// <summary>The same blocks written whole, as a flush writes a memory part (<see cref="MemoryPart.WriteTo"/>).</summary>
    [Benchmark]
    public long WriteBlocks()
    {
        string folder = Path.Combine(_root, "part-" + _iteration++);
        long blocks = _memoryPart.WriteTo(folder, PartWriterOptions.Default with { Fsync = false, ParallelEncoding = ParallelEncoding }).BlockCount;
        Directory.Delete(folder, recursive: true);
        return blocks;
    }

    private PartWriter NewWriter(out string folder)
    {
        folder = Path.Combine(_root, "part-" + _iteration++);
        return new PartWriter(folder, DataKind.Measure, PartWriterOptions.Default with { Fsync = false, ParallelEncoding = ParallelEncoding });
    }

    private static long Finish(PartWriter writer, string folder)
    {
        long blocks = writer.Complete().BlockCount;
        Directory.Delete(folder, recursive: true);
        return blocks;
    }
}

/// <summary>Setup helper: a series' tag appended once, later rows sharing its bytes as a seal or a decoded column gives them.</summary>
internal static class SharedTagColumn
{
    public static void AppendIfNew(this ColumnBuffer column, string value, int row)
    {
        if (row > 0 && column.CanRepeatLastRow)
        {
            column.AppendLastRowAgain();
        }
        else
        {
            column.AppendString(value);
        }
    }
}
