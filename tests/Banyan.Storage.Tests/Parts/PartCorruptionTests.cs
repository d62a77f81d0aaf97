using Banyan.Storage.Bytes;
using Banyan.Storage.Compression;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

public sealed class PartCorruptionTests
{
    private static readonly PartWriterOptions s_options = new() { MaxMeasureRowsPerBlock = 50, PrimaryChunkBytes = 400, Fsync = false };

    // Both formats: parts of format 1 are still read, so their damage must still be reported.
    [Theory]
    [InlineData(DataKind.Measure, 3u)]
    [InlineData(DataKind.Stream, 3u)]
    [InlineData(DataKind.Measure, 2u)]
    [InlineData(DataKind.Stream, 2u)]
    [InlineData(DataKind.Measure, 1u)]
    [InlineData(DataKind.Stream, 1u)]
    public void Flipped_or_truncated_bytes_in_any_file_raise_corruption_naming_the_file(DataKind kind, uint version)
    {
        var rows = new RandomRows(kind == DataKind.Measure ? 21 : 22, kind, maxRows: 400, maxSeries: 5);
        List<ReferenceRow> expected = RandomRows.Expected(kind, [rows.Rows]);
        using var temp = new TempDirectory();
        string original = temp.Sub("original");
        PartWriterOptions options = s_options with { FormatVersion = version };
        MemoryPart.Build(rows.ToBatch(false), options).WriteTo(original, options);
        var random = new Random(kind == DataKind.Measure ? 1 : 2);
        int trial = 0;
        foreach (string file in Directory.GetFiles(original).Select(f => Path.GetFileName(f)).Order())
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(original, file));
            for (int i = 0; i < 40; i++)
            {
                string copy = temp.Sub("t" + trial++);
                CopyPart(original, copy);
                bool truncate = i % 4 == 0;
                byte[] bad;
                if (truncate)
                {
                    bad = bytes[..random.Next(bytes.Length)];
                }
                else
                {
                    bad = (byte[])bytes.Clone();
                    bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));
                }

                File.WriteAllBytes(Path.Combine(copy, file), bad);
                string context = $"{kind} {file} {(truncate ? "truncated to " + bad.Length : "bit flip")} (trial {trial})";
                StorageCorruptionException? error = null;
                List<ReferenceRow>? read = null;
                try
                {
                    using PartReader reader = PartReader.Open(copy);
                    read = rows.ReadAll(reader);
                }
                catch (StorageCorruptionException e)
                {
                    error = e;
                }

                if (error is null)
                {
                    // Only metadata.json has bytes whose change can go unnoticed (counts and sizes that
                    // reading does not depend on); the rows must still be exactly right.
                    Assert.True(file == PartFileNames.Metadata, $"{context}: no corruption reported");
                    RandomRows.AssertSame(expected, read!, context);
                }
                else
                {
                    Assert.True(error.Message.Contains(file, StringComparison.Ordinal),
                        $"{context}: error does not name the file: {error.Message}");
                    Assert.True(error.Offset >= 0 || file == PartFileNames.Metadata, $"{context}: no offset in {error.Message}");
                }

                Directory.Delete(copy, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData(DataKind.Measure, 3u)]
    [InlineData(DataKind.Stream, 3u)]
    [InlineData(DataKind.Measure, 2u)]
    [InlineData(DataKind.Stream, 2u)]
    [InlineData(DataKind.Measure, 1u)]
    [InlineData(DataKind.Stream, 1u)]
    // An independent check found that in 74 of 148 part truncations the error named the file that
    // refers to the damaged one (meta.bin for a cut primary.bin, primary.bin for a cut timestamps.bin):
    // every truncation and every flip must name the damaged file itself.
    public void Truncations_and_flips_name_the_damaged_file_itself(DataKind kind, uint version)
    {
        var rows = new RandomRows(kind == DataKind.Measure ? 24 : 25, kind, maxRows: 400, maxSeries: 5);
        using var temp = new TempDirectory();
        string original = temp.Sub("original");
        PartWriterOptions options = s_options with { FormatVersion = version };
        MemoryPart.Build(rows.ToBatch(false), options).WriteTo(original, options);
        var random = new Random(kind == DataKind.Measure ? 3 : 4);
        string copy = temp.Sub("damaged");
        int errors = 0;
        foreach (string file in Directory.GetFiles(original).Select(f => Path.GetFileName(f)).Order())
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(original, file));
            for (int i = 0; i < 48; i++)
            {
                bool truncate = i % 2 == 0;
                byte[] bad;
                if (truncate)
                {
                    bad = bytes[..(i < 16 ? i : random.Next(bytes.Length))];
                }
                else
                {
                    bad = (byte[])bytes.Clone();
                    bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));
                }

                if (Directory.Exists(copy))
                {
                    Directory.Delete(copy, recursive: true);
                }

                CopyPart(original, copy);
                string damaged = Path.Combine(copy, file);
                File.WriteAllBytes(damaged, bad);
                string context = $"{kind} {file} {(truncate ? "truncated to " + bad.Length : "bit flip")}";
                try
                {
                    using PartReader reader = PartReader.Open(copy);
                    RandomRows.AssertSame(RandomRows.Expected(kind, [rows.Rows]), rows.ReadAll(reader), context);
                    Assert.True(file == PartFileNames.Metadata && !truncate, $"{context}: no corruption reported");
                }
                catch (StorageCorruptionException e)
                {
                    errors++;
                    Assert.True(e.FilePath == damaged, $"{context}: the error names {e.FilePath}: {e.Message}");
                }
            }
        }

        Assert.True(errors > 100, $"only {errors} damages were reported");
    }

    [Fact]
    public void Missing_file_raises_corruption()
    {
        var rows = new RandomRows(23, DataKind.Measure, maxRows: 100);
        using var temp = new TempDirectory();
        MemoryPart.Build(rows.ToBatch(false)).WriteTo(temp.Sub("p"), s_options);
        File.Delete(Path.Combine(temp.Sub("p"), PartFileNames.FieldValues));
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => PartReader.Open(temp.Sub("p")));
        Assert.Contains(PartFileNames.FieldValues, e.FilePath, StringComparison.Ordinal);
    }

    // The decoders check the (series, time) order of the headers inside a chunk; a series whose blocks continue in the
    // next chunk is checked where FindBlocks passes from one chunk to the next, since readers of several parts merge
    // the lists it returns on that order. Two chunks' entries swapped in meta.bin (a rewritten frame, so checksums
    // pass) put a series' later block first.
    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    public void Blocks_of_a_series_out_of_time_order_across_chunks_raise_corruption(uint version)
    {
        using var temp = new TempDirectory();
        string folder = temp.Sub("p");
        PartWriterOptions options = s_options with { MaxMeasureRowsPerBlock = 2, PrimaryChunkBytes = 1, Codec = CompressionCodec.None, FormatVersion = version };
        WriteBatch batch = new(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        for (long t = 0; t < 6; t++)
        {
            batch.AddRow(42, t, 1, [ColumnValue.FromInt64(t * 10)]);
        }

        // Every block closes its chunk: chunks [0, 1], [2, 3] and [4, 5], all of series 42.
        MemoryPart.Build(batch, options).WriteTo(folder, options);
        using (PartReader intact = PartReader.Open(folder))
        {
            var found = new List<BlockHeader>();
            intact.FindBlocks(SeriesTimeFilter.All, found);
            Assert.Equal(3, intact.Chunks.Count);
            Assert.Equal([0L, 2, 4], found.Select(h => h.MinTimestamp));
        }

        // meta.bin: the file header, then one frame of a varint count (one byte here) and 48-byte entries.
        string meta = Path.Combine(folder, PartFileNames.Meta);
        byte[] bytes = File.ReadAllBytes(meta);
        byte[] raw = [];
        int length = version == 1
            ? Frame.Read(bytes.AsSpan(PartFileMagic.HeaderSize), meta, PartFileMagic.HeaderSize, ref raw)
            : CompactFrame.Read(bytes.AsSpan(PartFileMagic.HeaderSize), meta, PartFileMagic.HeaderSize, ref raw);
        byte[] first = raw[1..(1 + PrimaryChunkInfo.SerializedSize)];
        raw.AsSpan(1 + PrimaryChunkInfo.SerializedSize, PrimaryChunkInfo.SerializedSize).CopyTo(raw.AsSpan(1));
        first.CopyTo(raw.AsSpan(1 + PrimaryChunkInfo.SerializedSize));
        using var rewritten = new ByteBuffer();
        rewritten.Write(bytes.AsSpan(0, PartFileMagic.HeaderSize));
        _ = version == 1
            ? Frame.Write(rewritten, raw.AsSpan(0, length), CompressionCodec.None, 1)
            : CompactFrame.Write(rewritten, raw.AsSpan(0, length), CompressionCodec.None, 1);
        File.WriteAllBytes(meta, rewritten.ToArray());

        using PartReader swapped = PartReader.Open(folder);
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => swapped.FindBlocks(SeriesTimeFilter.All, []));
        Assert.Equal(Path.Combine(swapped.Directory, PartFileNames.Primary), e.FilePath);
        Assert.Contains("not in time order", e.Detail, StringComparison.Ordinal);

        // A read of one chunk's time range meets no other chunk, and is answered.
        var one = new List<BlockHeader>();
        swapped.FindBlocks(new SeriesTimeFilter([42], 2, 3), one);
        Assert.Equal(2, Assert.Single(one).MinTimestamp);
    }

    [Fact]
    public void Block_header_and_tag_directory_parsers_only_raise_corruption_on_random_bytes()
    {
        var random = new Random(31);
        for (int i = 0; i < 3000; i++)
        {
            byte[] data = new byte[random.Next(0, 120)];
            random.NextBytes(data);
            try
            {
                BlockHeaderCodec.ReadChunk(data, random.Next(1, 4), 1 << 20, 1 << 20, name => name.Length < 3 ? 1 << 20 : -1);
            }
            catch (StorageCorruptionException)
            {
            }

            try
            {
                BlockHeaderCodec.ReadTagDirectory(data, 1 << 20, "x.tf");
            }
            catch (StorageCorruptionException)
            {
            }

            try
            {
                BlockHeaderCodec.ReadTagDirectory(data, 1 << 20, "x.tf", 3, ["a", "b", "c"]);
            }
            catch (StorageCorruptionException)
            {
            }

            try
            {
                var tables = new SpanReader(data);
                TagNameTable.ReadAll(ref tables, ["default"]);
            }
            catch (StorageCorruptionException)
            {
            }

            try
            {
                byte[] raw = [];
                Frame.Read(data, "f", 0, ref raw);
            }
            catch (StorageCorruptionException)
            {
            }

            try
            {
                PartMetadata.Parse(data, PartFileNames.Metadata);
            }
            catch (StorageCorruptionException)
            {
            }
        }
    }

    [Fact]
    public void Frame_layout_is_pinned()
    {
        using var buffer = new ByteBuffer();
        int size = Frame.Write(buffer, "abc"u8, Banyan.Storage.Compression.CompressionCodec.Zstd, 3);
        Assert.Equal(16, size);
        uint crc = Banyan.Storage.Checksums.Crc32C.Compute(Convert.FromHexString("030000000300000000616263"));
        Assert.Equal("03000000" + "03000000" + "00" + Convert.ToHexString(BitConverter.GetBytes(crc)) + "616263", Convert.ToHexString(buffer.WrittenSpan));
    }

    private static void CopyPart(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
