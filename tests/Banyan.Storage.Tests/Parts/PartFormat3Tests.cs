using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;
using Banyan.Storage.Columns;
using Banyan.Storage.Compression;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// Format 3 (docs/format/part.md): format 2 with byte columns whose rows all hold one value written once
/// (<see cref="ColumnCodec.BytesConstant"/>), the usual case of a measure's entity tags in a block of one series.
/// </summary>
public sealed class PartFormat3Tests
{
    private static readonly PartWriterOptions s_raw = new() { Codec = CompressionCodec.None, Fsync = false, FormatVersion = 3 };

    // The rows of PartGoldenTests' tiny part: series 2's "service" is "svc-a" in every row (constant), series 1's
    // alternates (dictionary); series 2's "ids" differ per row (plain).
    [Fact]
    public void Tiny_part_files_are_pinned_in_format_3()
    {
        WriteBatch batch = PartGoldenTests.TinyBatch();

        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), s_raw);
        Assert.Equal(
            [
                "default.tf 75 D6A5145E",     // 5 bytes less than format 2's: series 2's "svc-a" once, not a dictionary and 4 indexes
                "default.tfm 38 0088EA90",    // 22 less: tags by number, one offset per block
                "fv.bin 41 6046A3E7",
                "meta.bin 84 3198CC5E",       // 22 more: the name table, once per part

                "metadata.json 271 5A80CDE0",
                "primary.bin 164 94652951",
                "timestamps.bin 8 2A0DC1A3",
            ],
            PartGoldenTests.Files(temp.Sub("p")));
        using PartReader reader = PartReader.Open(temp.Sub("p"));
        Assert.Equal(3u, reader.Metadata.FormatVersion);
        Dictionary<ulong, Dictionary<string, byte>> encodings = TagEncodings(reader);
        Assert.Equal(ColumnCodec.BytesDictionary, encodings[1]["service"]);
        Assert.Equal(ColumnCodec.BytesConstant, encodings[2]["service"]);
        Assert.Equal(ColumnCodec.BytesPlain, encodings[2]["ids"]);
        AssertRowsRead(batch, reader);
    }

    // The worked example of docs/format/tf.md, every byte of the tag files: one series, three rows, tag
    // "svc" = "api" in each row.
    [Fact]
    public void A_constant_tag_is_pinned_byte_by_byte()
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "value", ColumnValueType.Int64);
        batch.AddColumn("default", "svc", ColumnValueType.String);
        for (int i = 0; i < 3; i++)
        {
            batch.AddRow(7, 1_000 + (i * 10), 0, [ColumnValue.FromInt64(i), ColumnValue.FromString("api")]);
        }

        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), s_raw);
        string Hex(string file) => Convert.ToHexString(File.ReadAllBytes(Path.Combine(temp.Sub("p"), file)));

        // Header "BYTF" version 3, then one compact frame: codec 00, payload 02 03 617069 (mode constant, length 3,
        // "api"), CRC-32C of the frame's bytes before it.
        string tfFrame = "00" + "02" + "03" + "617069";
        Assert.Equal("42595446" + "03000000" + tfFrame + Crc(tfFrame), Hex(PartFileNames.TagValues("default")));

        // Header "BYTM" version 3, then the block's directory frame: 1 column, its frame at offset 8 (after the .tf
        // header), then tag number 0 of the family's name table, type String (3), encoding 02 (constant), size 10 (the
        // frame above).
        string tfmFrame = "00" + "01" + "08" + "00" + "03" + "02" + "0A";
        Assert.Equal("4259544D" + "03000000" + tfmFrame + Crc(tfmFrame), Hex(PartFileNames.TagMetadata("default")));

        // meta.bin's payload ends with the name tables: 1 family, "default", 1 name, "svc"; then the frame's CRC.
        string meta = Hex(PartFileNames.Meta);
        Assert.Equal("01" + "0764656661756C74" + "01" + "03737663", meta[^(8 + 28)..^8]);
    }

    [Fact]
    public void Constant_columns_round_trip_through_parts_and_merges_into_either_format()
    {
        WriteBatch first = SeriesBatch(seed: 1, seriesFrom: 0);
        WriteBatch second = SeriesBatch(seed: 2, seriesFrom: 3);
        using var temp = new TempDirectory();
        PartWriterOptions format2 = s_raw with { FormatVersion = 2, MaxMeasureRowsPerBlock = 50 };
        PartWriterOptions format3 = s_raw with { MaxMeasureRowsPerBlock = 50 };
        MemoryPart.Build(first, format2).WriteTo(temp.Sub("v2"), format2);
        MemoryPart.Build(second, format3).WriteTo(temp.Sub("v3"), format3);
        using PartReader v2 = PartReader.Open(temp.Sub("v2"));
        using PartReader v3 = PartReader.Open(temp.Sub("v3"));
        Assert.DoesNotContain(ColumnCodec.BytesConstant, BlockTagEncodings(v2).SelectMany(b => b.Tags.Values));
        Assert.All(BlockTagEncodings(v3), b => Assert.Equal(ColumnCodec.BytesConstant, b.Tags["host"]));
        AssertRowsRead(first, v2);
        AssertRowsRead(second, v3);

        // Merged into format 3, the entity tags of every block become constant; merged into format 2 (a build that
        // must stay readable by older ones), none may be.
        PartMerger.Merge([v2, v3], DataKind.Measure, temp.Sub("m3"), format3);
        PartMerger.Merge([v2, v3], DataKind.Measure, temp.Sub("m2"), format2);
        using PartReader m3 = PartReader.Open(temp.Sub("m3"));
        using PartReader m2 = PartReader.Open(temp.Sub("m2"));
        Assert.All(BlockTagEncodings(m3), b => Assert.Equal((ColumnCodec.BytesConstant, ColumnCodec.BytesConstant), (b.Tags["host"], b.Tags["labels"])));
        Assert.All(BlockTagEncodings(m3), b => Assert.NotEqual(ColumnCodec.BytesConstant, b.Tags["zone"]));
        Assert.DoesNotContain(ColumnCodec.BytesConstant, BlockTagEncodings(m2).SelectMany(b => b.Tags.Values));
        // A constant tag's frame: 5 bytes of framing, the mode, the length and the value once.
        Assert.All(BlockTagColumns(m3), b => Assert.Equal(5 + 2 + ("host-" + b.Series).Length, b.Tags["host"].Size));
        Assert.True(Bytes(temp.Sub("m3"), "default.tf") < Bytes(temp.Sub("m2"), "default.tf"));
        foreach (PartReader merged in new[] { m2, m3 })
        {
            var block = new Block();
            var headers = new List<BlockHeader>();
            merged.FindBlocks(SeriesTimeFilter.All, headers);
            int rows = 0;
            foreach (BlockHeader header in headers)
            {
                merged.ReadBlock(header, ColumnProjection.All, block, new DecodeScratch());
                for (int r = 0; r < block.Count; r++)
                {
                    Assert.Equal(ColumnValue.FromString("host-" + header.SeriesId), block.FindColumn("default", "host")!.GetValue(r));
                    Assert.Equal(ColumnValue.FromStringArray(["a", "s" + header.SeriesId]), block.FindColumn("default", "labels")!.GetValue(r));
                    Assert.Equal(ColumnValue.FromInt64(block.Timestamps[r] / 10), block.FindColumn(null, "v")!.GetValue(r));
                }

                rows += block.Count;
            }

            Assert.Equal(first.Count + second.Count, rows);
        }
    }

    [Fact]
    public void A_tag_directory_of_format_2_that_records_the_constant_mode_is_corrupt()
    {
        using var raw = new ByteBuffer();
        BlockHeaderCodec.WriteTagDirectory([new ColumnHeader("svc", ColumnValueType.String, 8, 10, ColumnCodec.BytesConstant, default)], raw);
        Assert.Single(BlockHeaderCodec.ReadTagDirectory(raw.WrittenSpan, 100, "default.tf", formatVersion: 3));
        StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(
            () => BlockHeaderCodec.ReadTagDirectory(raw.WrittenSpan, 100, "default.tf", formatVersion: 2));
        Assert.Contains("unknown encoding 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_format_3_directory_names_tags_by_number_and_refuses_numbers_it_cannot_resolve()
    {
        var names = new TagNameTable();
        Assert.Equal(0, names.NumberOf("zone"));
        using var raw = new ByteBuffer();
        BlockHeaderCodec.WriteTagDirectory(
            [new ColumnHeader("host", ColumnValueType.String, 8, 12, ColumnCodec.BytesConstant, default),
             new ColumnHeader("zone", ColumnValueType.String, 20, 30, ColumnCodec.BytesDictionary, default)], raw, names);
        Assert.Equal(["zone", "host"], names.Names);
        Assert.Equal("02" + "08" + "01" + "03" + "02" + "0C" + "00" + "03" + "01" + "1E", Convert.ToHexString(raw.WrittenSpan));
        ColumnHeader[] read = BlockHeaderCodec.ReadTagDirectory(raw.WrittenSpan, 100, "default.tf", 3, names.Names);
        Assert.Equal([("host", 8L, 12), ("zone", 20L, 30)], read.Select(c => (c.Name, c.Offset, c.Size)));

        // A number past the table, the same tag twice, or a frame past the end of .tf is corruption at its offset.
        foreach ((string hex, string message) in new[]
        {
            ("01" + "08" + "02" + "03" + "02" + "0C", "tag number 2"),
            ("02" + "08" + "01" + "03" + "02" + "0C" + "01" + "03" + "01" + "1E", "given twice"),
            ("01" + "08" + "00" + "03" + "02" + "7F", "cut short"),
            ("01" + "C801" + "00" + "03" + "02" + "0C", "outside"),
        })
        {
            StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(
                () => BlockHeaderCodec.ReadTagDirectory(Convert.FromHexString(hex), 100, "default.tf", 3, names.Names));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }

        // The tables in meta.bin must be those of metadata.json's families, in order, each name once.
        using var tables = new ByteBuffer();
        TagNameTable.WriteAll([new("default", names)], tables);
        var reader = new SpanReader(tables.WrittenSpan);
        Assert.Equal(["zone", "host"], TagNameTable.ReadAll(ref reader, ["default"])["default"]);
        Assert.Throws<StorageCorruptionException>(() =>
        {
            var other = new SpanReader(tables.WrittenSpan);
            TagNameTable.ReadAll(ref other, ["searchable"]);
        });
        Assert.Throws<StorageCorruptionException>(() =>
        {
            var twice = new SpanReader(Convert.FromHexString("01" + "0764656661756C74" + "02" + "0161" + "0161"));
            TagNameTable.ReadAll(ref twice, ["default"]);
        });
    }

    // Three series of 120 rows: tags "host" (string) and "labels" (string array) constant per series, "zone"
    // varying (a few values), and an int field.
    private static WriteBatch SeriesBatch(int seed, ulong seriesFrom)
    {
        var random = new Random(seed);
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "v", ColumnValueType.Int64);
        batch.AddColumn("default", "host", ColumnValueType.String);
        batch.AddColumn("default", "labels", ColumnValueType.StringArray);
        batch.AddColumn("default", "zone", ColumnValueType.String);
        for (ulong s = seriesFrom; s < seriesFrom + 3; s++)
        {
            for (int i = 0; i < 120; i++)
            {
                long t = (i * 20) + seed;
                batch.AddRow(s, t, 0, [ColumnValue.FromInt64(t / 10), ColumnValue.FromString("host-" + s),
                    ColumnValue.FromStringArray(["a", "s" + s]), ColumnValue.FromString("z" + random.Next(3))]);
            }
        }

        return batch;
    }

    internal static void AssertRowsRead(WriteBatch batch, PartReader reader)
    {
        var expected = new Dictionary<(ulong, long), ColumnValue[]>();
        for (int r = 0; r < batch.Count; r++)
        {
            expected[(batch.SeriesIds[r], batch.Timestamps[r])] = [.. batch.Columns.Select(c => c.GetValue(r))];
        }

        var headers = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, headers);
        var block = new Block();
        int rows = 0;
        foreach (BlockHeader header in headers)
        {
            reader.ReadBlock(header, ColumnProjection.All, block, new DecodeScratch());
            for (int r = 0; r < block.Count; r++)
            {
                ColumnValue[] want = expected[(header.SeriesId, block.Timestamps[r])];
                for (int c = 0; c < batch.Columns.Count; c++)
                {
                    ColumnBuffer column = batch.Columns[c];
                    Assert.Equal(want[c], block.FindColumn(column.Family, column.Name)!.GetValue(r));
                }
            }

            rows += block.Count;
        }

        Assert.Equal(batch.Count, rows);
    }

    // Each block's tag encodings by tag name, read from its directory frame in default.tfm, keyed by series (for the
    // tiny part, one block per series) and listed block by block.
    private static Dictionary<ulong, Dictionary<string, byte>> TagEncodings(PartReader reader) =>
        BlockTagEncodings(reader).GroupBy(b => b.Series).ToDictionary(g => g.Key, g => g.Last().Tags);

    private static List<(ulong Series, Dictionary<string, byte> Tags)> BlockTagEncodings(PartReader reader) =>
        [.. BlockTagColumns(reader).Select(b => (b.Series, b.Tags.ToDictionary(c => c.Key, c => c.Value.Encoding)))];

    internal static List<(ulong Series, Dictionary<string, ColumnHeader> Tags)> BlockTagColumns(PartReader reader)
    {
        var headers = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, headers);
        return [.. headers.Select(h => (h.SeriesId, reader.ReadTagDirectory(h, "default").ToDictionary(c => c.Name)))];
    }

    internal static long Bytes(string part, string file) => new FileInfo(Path.Combine(part, file)).Length;

    internal static string Crc(string hex) => Convert.ToHexString(BitConverter.GetBytes(Crc32C.Compute(Convert.FromHexString(hex))));
}
