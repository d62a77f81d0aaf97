using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Compression;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// Format 2 (docs/format/part.md): implied timestamps and versions, compact frames, delta-coded headers
/// with compact statistics, and reading parts of format 1 beside it.
/// </summary>
public sealed class PartFormat2Tests
{
    private static readonly PartWriterOptions s_raw = new() { Codec = CompressionCodec.None, Fsync = false };

    [Fact]
    public void Compact_frame_layout_is_pinned()
    {
        using var buffer = new ByteBuffer();
        int size = CompactFrame.Write(buffer, "abc"u8, CompressionCodec.Zstd, 3);
        Assert.Equal(8, size);
        uint crc = Crc32C.Compute(Convert.FromHexString("00616263"));
        Assert.Equal("00616263" + Convert.ToHexString(BitConverter.GetBytes(crc)), Convert.ToHexString(buffer.WrittenSpan));

        // A compressed frame carries its raw length; both read back.
        byte[] payload = new byte[300];
        Array.Fill(payload, (byte)'x');
        using var compressed = new ByteBuffer();
        CompactFrame.Write(compressed, payload, CompressionCodec.Zstd, 1);
        Assert.Equal((byte)CompressionCodec.Zstd, compressed.WrittenSpan[0]);
        Assert.Equal("AC02", Convert.ToHexString(compressed.WrittenSpan.Slice(1, 2)));
        byte[] raw = [];
        Assert.Equal(300, CompactFrame.Read(compressed.WrittenSpan, "f", 8, ref raw));
        Assert.Equal(payload, raw[..300]);

        byte[] damaged = compressed.ToArray();
        damaged[5] ^= 1;
        StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(() => CompactFrame.Read(damaged, "f", 8, ref raw));
        Assert.Equal(("f", 8L), (error.FilePath, error.Offset));
    }

    [Fact]
    public void Evenly_spaced_timestamps_and_constant_versions_are_left_out_and_come_back()
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        (ulong Series, long[] Timestamps, long Version)[] blocks =
        [
            (1, [5], 7),                                      // one row
            (2, [0, 10, 20, 30], 0),                          // evenly spaced
            (3, [long.MinValue, long.MaxValue], 1),           // a span that needs all 64 bits
            (4, [long.MinValue, -1, long.MaxValue - 1], -3),  // wraps in the step arithmetic
            (5, [0, 10, 21, 30], 0),                          // irregular: stored
            (6, [0, 1, 2, 4, 8, 10], 0),                      // span a multiple of the steps, but irregular
        ];
        foreach ((ulong series, long[] timestamps, long version) in blocks)
        {
            foreach (long t in timestamps)
            {
                batch.AddRow(series, t, version, [ColumnValue.FromInt64(t / 7)]);
            }
        }

        batch.AddRow(7, 100, 1, [ColumnValue.FromInt64(1)]);
        batch.AddRow(7, 200, 2, [ColumnValue.FromInt64(2)]); // versions vary: stored

        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), s_raw);
        using PartReader reader = PartReader.Open(temp.Sub("p"));
        var headers = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, headers);
        Assert.Equal([false, false, false, false, true, true, false], headers.Select(h => h.TimestampsStored));
        Assert.Equal([false, false, false, false, false, false, true], headers.Select(h => h.VersionsStored));
        Assert.Equal(-3, headers[3].ConstantVersion);

        var block = new Block();
        var scratch = new DecodeScratch();
        for (int b = 0; b < blocks.Length; b++)
        {
            reader.ReadBlock(headers[b], ColumnProjection.All, block, scratch);
            Assert.Equal(blocks[b].Timestamps, block.Timestamps.ToArray());
            Assert.All(block.Versions.ToArray(), v => Assert.Equal(blocks[b].Version, v));
            Assert.Equal(blocks[b].Timestamps.Select(t => t / 7), block.Columns[0].Int64Values.ToArray());
        }

        reader.ReadBlock(headers[6], ColumnProjection.All, block, scratch);
        Assert.Equal([1L, 2L], block.Versions.ToArray());

        // The five blocks whose keys are implied wrote nothing to timestamps.bin; the other two one frame each.
        Assert.Equal(PartFileMagic.HeaderSize + headers[4].TimestampsSize + headers[5].TimestampsSize + headers[6].TimestampsSize,
            new FileInfo(Path.Combine(temp.Sub("p"), PartFileNames.Timestamps)).Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Compact_statistics_come_back_bit_for_bit(int seed)
    {
        var random = new Random(seed);
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "f", ColumnValueType.Float64);
        batch.AddColumn(null, "i", ColumnValueType.Int64);
        for (ulong series = 1; series <= 60; series++)
        {
            int rows = 1 + random.Next(50);
            int shape = random.Next(6);
            for (int r = 0; r < rows; r++)
            {
                double f = shape switch
                {
                    0 => Math.Round(random.NextDouble() * 100, 2),
                    1 => random.Next(1000),
                    2 => random.NextDouble() * 1e300,
                    3 => random.Next(4) == 0 ? double.NaN : -0.0,
                    4 => random.Next(2) == 0 ? double.PositiveInfinity : 1e-300 * random.Next(),
                    _ => Math.Round(random.NextDouble() * 1e6, 1) - 5e5,
                };
                long i = shape switch
                {
                    0 => random.Next(),
                    1 => long.MaxValue - random.Next(10),
                    2 => long.MinValue + random.Next(10),
                    _ => random.NextInt64(),
                };
                bool nullF = random.Next(8) == 0;
                bool nullI = random.Next(8) == 0;
                batch.AddRow(series, r * 1000L, 0, [nullF ? ColumnValue.Null : ColumnValue.FromFloat64(f), nullI ? ColumnValue.Null : ColumnValue.FromInt64(i)]);
            }
        }

        using MemoryPart memory = MemoryPart.Build(batch);
        var expected = new List<BlockHeader>();
        memory.FindBlocks(SeriesTimeFilter.All, expected);
        using var temp = new TempDirectory();
        memory.WriteTo(temp.Sub("p"), s_raw);
        using PartReader reader = PartReader.Open(temp.Sub("p"));
        var actual = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, actual);
        Assert.Equal(expected.Count, actual.Count);
        for (int b = 0; b < expected.Count; b++)
        {
            for (int f = 0; f < 2; f++)
            {
                Assert.Equal(expected[b].Fields[f].Statistics, actual[b].Fields[f].Statistics);
            }
        }
    }

    [Fact]
    public void Parts_of_format_1_are_read_and_merged_into_format_2()
    {
        var older = new RandomRows(31, DataKind.Measure, maxRows: 600, maxSeries: 8);
        var newer = new RandomRows(32, DataKind.Measure, maxRows: 600, maxSeries: 8);
        using var temp = new TempDirectory();
        PartWriterOptions format2 = s_raw with { FormatVersion = 2 };
        MemoryPart.Build(older.ToBatch(false)).WriteTo(temp.Sub("v1"), s_raw with { FormatVersion = 1 });
        MemoryPart.Build(newer.ToBatch(false)).WriteTo(temp.Sub("v2"), format2);
        using PartReader v1 = PartReader.Open(temp.Sub("v1"));
        using PartReader v2 = PartReader.Open(temp.Sub("v2"));
        Assert.Equal((1u, 2u), (v1.Metadata.FormatVersion, v2.Metadata.FormatVersion));
        RandomRows.AssertSame(RandomRows.Expected(DataKind.Measure, [older.Rows]), older.ReadAll(v1), "format 1 part");

        PartMetadata merged = PartMerger.Merge([v1, v2], DataKind.Measure, temp.Sub("merged"), format2);
        Assert.Equal(2u, merged.FormatVersion);
        using PartReader reader = PartReader.Open(temp.Sub("merged"));
        RandomRows.AssertSame(RandomRows.Expected(DataKind.Measure, [older.Rows, newer.Rows]), older.ReadAll(reader), "merged part");
    }

    [Fact]
    public void A_part_whose_files_disagree_on_the_version_is_corrupt()
    {
        var rows = new RandomRows(33, DataKind.Measure, maxRows: 100, maxSeries: 3);
        using var temp = new TempDirectory();
        MemoryPart.Build(rows.ToBatch(false)).WriteTo(temp.Sub("p"), s_raw);
        string fv = Path.Combine(temp.Sub("p"), PartFileNames.FieldValues);
        byte[] bytes = File.ReadAllBytes(fv);
        bytes[4] = 1; // the file says format 1, metadata.json says 2
        File.WriteAllBytes(fv, bytes);
        StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(() => PartReader.Open(temp.Sub("p")));
        Assert.Equal((fv, 4L), (error.FilePath, error.Offset));
    }

    [Fact]
    public void A_format_newer_than_the_build_is_refused_with_a_typed_error()
    {
        var rows = new RandomRows(34, DataKind.Measure, maxRows: 50, maxSeries: 2);
        using var temp = new TempDirectory();
        MemoryPart.Build(rows.ToBatch(false)).WriteTo(temp.Sub("p"), s_raw);
        string metadata = Path.Combine(temp.Sub("p"), PartFileNames.Metadata);
        uint current = PartFileMagic.FormatVersion;
        File.WriteAllText(metadata, File.ReadAllText(metadata).Replace($"\"formatVersion\": {current}", $"\"formatVersion\": {current + 1}", StringComparison.Ordinal));
        StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(() => PartReader.Open(temp.Sub("p")));
        Assert.Contains($"format version {current + 1}, this build reads 1 to {current}", error.Message, StringComparison.Ordinal);
    }
}
