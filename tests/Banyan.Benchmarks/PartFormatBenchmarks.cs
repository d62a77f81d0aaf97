using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// Part format on the peer dataset (10,000 series × 360 samples): encode+write of a finished part from
/// sorted rows, read+decode of every sample, and SUM per series over the hour from block statistics
/// versus by decoding. Bytes per sample on disk are printed by <see cref="Setup"/>.
/// Run: <c>dotnet run -c Release --project tests/Banyan.Benchmarks -- --filter *PartFormat*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class PartFormatBenchmarks
{
    private GeneratedMetricsDataset _data = null!;
    private WriteBatch _batch = null!;
    private MemoryPart _memoryPart = null!;
    private string _root = null!;
    private string _readPart = null!;
    private PartReader _reader = null!;
    private readonly Block _block = new();
    private readonly DecodeScratch _scratch = new();
    private readonly List<BlockHeader> _headers = [];
    private readonly ColumnProjection _valueOnly = ColumnProjection.Of(["value"], []);
    private double[] _sums = [];
    private int _iteration;

    /// <summary>Samples in the dataset (divide by the mean time for samples/s).</summary>
    public int Samples => _data.SampleCount;

    [GlobalSetup]
    public void Setup()
    {
        _data = GeneratedMetricsDataset.Load();
        _batch = _data.ToBatch();
        _memoryPart = MemoryPart.Build(_batch);
        _root = Path.Combine(Path.GetTempPath(), "banyan-partbench-" + Environment.ProcessId);
        Directory.CreateDirectory(_root);
        _readPart = Path.Combine(_root, "read");
        PartMetadata metadata = _memoryPart.WriteTo(_readPart);
        _reader = PartReader.Open(_readPart);
        _reader.FindBlocks(BlockQuery.All, _headers);
        _sums = new double[_data.SeriesCount + 1];
        long apparent = 0;
        foreach (string file in Directory.GetFiles(_readPart))
        {
            apparent += new FileInfo(file).Length;
        }

        Console.WriteLine($"// part-format: {_data.SampleCount:N0} samples, {_data.SeriesCount:N0} series from {_data.Source}");
        Console.WriteLine($"// part-format: files {apparent:N0} bytes (metadata.json included), {(double)apparent / _data.SampleCount:F3} bytes/sample; " +
            $"binary files {metadata.CompressedBytes:N0} bytes, {(double)metadata.CompressedBytes / _data.SampleCount:F3} bytes/sample; {metadata.BlockCount:N0} blocks");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Sorted columnar batch → memory part → encoded, compressed, fsynced part folder.</summary>
    [Benchmark]
    public long EncodeAndWritePart()
    {
        MemoryPart part = MemoryPart.Build(_batch);
        string path = Path.Combine(_root, "w" + _iteration++);
        PartMetadata metadata = part.WriteTo(path);
        Directory.Delete(path, recursive: true);
        return metadata.RowCount;
    }

    /// <summary>Flush only: an existing memory part → encoded, compressed, fsynced part folder.</summary>
    [Benchmark]
    public long WriteMemoryPart()
    {
        string path = Path.Combine(_root, "f" + _iteration++);
        PartMetadata metadata = _memoryPart.WriteTo(path);
        Directory.Delete(path, recursive: true);
        return metadata.RowCount;
    }

    /// <summary>Every block: read, checksum, decompress, decode timestamps, versions and the value column.</summary>
    [Benchmark]
    public double ReadAndDecodeAll()
    {
        double checksum = 0;
        foreach (BlockHeader header in _headers)
        {
            _reader.ReadBlock(header, _valueOnly, _block, _scratch);
            ReadOnlySpan<double> values = _block.Columns[0].Float64Values;
            checksum += values[^1] + _block.Timestamps[^1];
        }

        return checksum;
    }

    /// <summary>SUM per series over the whole hour from block-header statistics (no column decoded).</summary>
    [Benchmark]
    public double SumPerSeriesFromStatistics()
    {
        Array.Clear(_sums);
        foreach (BlockHeader header in _headers)
        {
            _sums[header.SeriesId] += header.Fields[0].Statistics.Float64Sum;
        }

        return _sums[1];
    }

    /// <summary>SUM per series over the whole hour by decoding every value column.</summary>
    [Benchmark]
    public double SumPerSeriesByDecoding()
    {
        Array.Clear(_sums);
        foreach (BlockHeader header in _headers)
        {
            _reader.ReadBlock(header, _valueOnly, _block, _scratch);
            double sum = 0;
            foreach (double value in _block.Columns[0].Float64Values)
            {
                sum += value;
            }

            _sums[header.SeriesId] += sum;
        }

        return _sums[1];
    }
}
