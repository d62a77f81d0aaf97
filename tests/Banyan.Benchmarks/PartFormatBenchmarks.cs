using Banyan.Storage.Bytes;
using Banyan.Storage.Compression;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
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
public class PartFormatBenchmarks : IDisposable
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

    private readonly List<byte[]> _rawColumns = [];
    private readonly List<(byte[] Compressed, int RawLength)> _zstdColumns = [];
    private ByteBuffer _compressOutput = null!;
    private byte[] _decompressOutput = [];

    /// <summary>Samples in the dataset (divide by the mean time for samples/s).</summary>
    public int Samples => _data.SampleCount;

    /// <summary>zstd implementation: the system's libzstd (P/Invoke) or ZstdSharp.Port (managed).</summary>
    [Params("native", "managed")]
    public string Zstd { get; set; } = "native";

    [GlobalSetup]
    public void Setup()
    {
        BlockCompressor.ZstdBackend = Zstd == "managed" ? ZstdBackend.Managed : ZstdBackend.Native;
        _data = GeneratedMetricsDataset.Load();
        _batch = _data.ToBatch();
        _memoryPart = MemoryPart.Build(_batch);
        _root = Path.Combine(Path.GetTempPath(), "banyan-partbench-" + Environment.ProcessId);
        Directory.CreateDirectory(_root);
        _readPart = Path.Combine(_root, "read");
        PartMetadata metadata = _memoryPart.WriteTo(_readPart);
        _reader = PartReader.Open(_readPart);
        _reader.FindBlocks(SeriesTimeFilter.All, _headers);
        _sums = new double[_data.SeriesCount + 1];
        long apparent = 0;
        foreach (string file in Directory.GetFiles(_readPart))
        {
            apparent += new FileInfo(file).Length;
        }

        _compressOutput = new ByteBuffer(1 << 16);
        CollectRawColumns();
        Console.WriteLine($"// part-format: zstd {Zstd}, {_rawColumns.Count:N0} column payloads");
        Console.WriteLine($"// part-format: {_data.SampleCount:N0} samples, {_data.SeriesCount:N0} series from {_data.Source}");
        Console.WriteLine($"// part-format: files {apparent:N0} bytes (metadata.json included), {(double)apparent / _data.SampleCount:F3} bytes/sample; " +
            $"binary files {metadata.CompressedBytes:N0} bytes, {(double)metadata.CompressedBytes / _data.SampleCount:F3} bytes/sample; {metadata.BlockCount:N0} blocks");
    }

    // The raw (uncompressed) payloads of every timestamps and value frame of the part: the bytes
    // zstd really compresses in a flush and decompresses in a read. Format 1, whose frames all hold
    // zstd-compressible varints (format 2 leaves regular timestamps out and stores Rice bits raw).
    private void CollectRawColumns()
    {
        string rawPart = Path.Combine(_root, "raw");
        _memoryPart.WriteTo(rawPart, PartWriterOptions.Default with { Codec = CompressionCodec.None, Fsync = false, FormatVersion = 1 });
        byte[] timestamps = File.ReadAllBytes(Path.Combine(rawPart, PartFileNames.Timestamps));
        byte[] values = File.ReadAllBytes(Path.Combine(rawPart, PartFileNames.FieldValues));
        using (PartReader raw = PartReader.Open(rawPart))
        {
            var headers = new List<BlockHeader>();
            raw.FindBlocks(SeriesTimeFilter.All, headers);
            foreach (BlockHeader header in headers)
            {
                _rawColumns.Add(timestamps.AsSpan((int)header.TimestampsOffset + Frame.HeaderSize, header.TimestampsSize - Frame.HeaderSize).ToArray());
                ColumnHeader field = header.Fields[0];
                _rawColumns.Add(values.AsSpan((int)field.Offset + Frame.HeaderSize, field.Size - Frame.HeaderSize).ToArray());
            }
        }

        int largest = 0;
        foreach (byte[] column in _rawColumns)
        {
            _compressOutput.Clear();
            CompressionCodec used = BlockCompressor.Compress(CompressionCodec.Zstd, 1, column, _compressOutput);
            if (used == CompressionCodec.Zstd)
            {
                _zstdColumns.Add((_compressOutput.WrittenSpan.ToArray(), column.Length));
                largest = Math.Max(largest, column.Length);
            }
        }

        _decompressOutput = new byte[largest];
    }

    /// <summary>zstd level 1 over the raw payload of every timestamps and value frame of the part.</summary>
    [Benchmark]
    public long CompressColumns()
    {
        long total = 0;
        foreach (byte[] column in _rawColumns)
        {
            _compressOutput.Clear();
            BlockCompressor.Compress(CompressionCodec.Zstd, 1, column, _compressOutput);
            total += _compressOutput.Length;
        }

        return total;
    }

    /// <summary>zstd decompression of every frame payload that zstd shrank (the others are stored raw).</summary>
    [Benchmark]
    public long DecompressColumns()
    {
        long total = 0;
        foreach ((byte[] compressed, int rawLength) in _zstdColumns)
        {
            BlockCompressor.Decompress(CompressionCodec.Zstd, compressed, _decompressOutput.AsSpan(0, rawLength));
            total += rawLength;
        }

        return total;
    }

    /// <summary>Returns the pooled compression buffer.</summary>
    public void Dispose()
    {
        _compressOutput?.Dispose();
        GC.SuppressFinalize(this);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
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
