using Banyan.Storage.Checksums;
using Banyan.Storage.Compression;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Parts;

/// <summary>
/// Pins the bytes of a fixed tiny part: the CRC-32C of every file. Payloads are stored uncompressed
/// (Codec None) so the figures do not depend on the zstd build; compressed framing is pinned by the
/// frame and compressor tests.
/// </summary>
public sealed class PartGoldenTests
{
    // Format 1, as earlier builds wrote it (still read; PartWriterOptions.FormatVersion = 1 writes it).
    [Fact]
    public void Tiny_part_files_are_pinned()
    {
        WriteBatch batch = TinyBatch();

        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), new PartWriterOptions { Codec = CompressionCodec.None, Fsync = false, FormatVersion = 1 });
        string[] actual = Files(temp.Sub("p"));
        Assert.Equal(
            [
                "default.tf 112 16073A2C",
                "default.tfm 76 DE3CE625",
                "fv.bin 92 947FFCD4",
                "meta.bin 70 13CBEE21",
                "metadata.json 271 3CBEA6AF",
                "primary.bin 229 D0BC9C9A",
                "timestamps.bin 68 75910FD1",
            ],
            actual);
        using PartReader reader = PartReader.Open(temp.Sub("p"));
        Assert.Equal(8, reader.Metadata.RowCount);
        var headers = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, headers);
        // Series 1: values 0.5, 0.5, NaN, 0.5 fall back to XOR; timestamps are regular; versions constant.
        Assert.Equal((byte)Banyan.Storage.Encodings.FloatEncodingKind.Xor, headers[0].FindField("value")!.Encoding);
        Assert.Equal(Banyan.Storage.Encodings.IntegerEncodingKind.DeltaConst, headers[0].TimestampsEncoding);
        Assert.Equal(Banyan.Storage.Encodings.IntegerEncodingKind.Const, headers[0].VersionsEncoding);
        // Series 2: 0, 1.25, 2.5, 3.75 -> decimal mantissas.
        Assert.Equal((byte)Banyan.Storage.Encodings.FloatEncodingKind.DecimalMantissa, headers[1].FindField("value")!.Encoding);
        Assert.Equal(2, reader.Metadata.SeriesCount);
    }
    // Format 2, as builds before format 3 wrote it (still read; PartWriterOptions.FormatVersion = 2 writes it): the same rows as above.
    [Fact]
    public void Tiny_part_files_are_pinned_in_format_2()
    {
        WriteBatch batch = TinyBatch();

        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), new PartWriterOptions { Codec = CompressionCodec.None, Fsync = false, FormatVersion = 2 });
        Assert.Equal(
            [
                "default.tf 80 BDFEA151",
                "default.tfm 60 6711F3AD",
                "fv.bin 41 9F23D245",
                "meta.bin 62 72554703",
                "metadata.json 271 242E65FC",
                "primary.bin 164 8F58A678",
                "timestamps.bin 8 F7486B1B",
            ],
            Files(temp.Sub("p")));
        using PartReader reader = PartReader.Open(temp.Sub("p"));
        Assert.Equal(2u, reader.Metadata.FormatVersion);
        var headers = new List<BlockHeader>();
        reader.FindBlocks(SeriesTimeFilter.All, headers);
        Assert.All(headers, h => Assert.False(h.TimestampsStored || h.VersionsStored));
        Assert.Equal((byte)Banyan.Storage.Encodings.FloatEncodingKind.Xor, headers[0].FindField("value")!.Encoding);
        Assert.Equal((byte)Banyan.Storage.Encodings.FloatEncodingKind.DecimalMantissa, headers[1].FindField("value")!.Encoding);
    }

    // The worked example of docs/format/primary.bin.md and fv.bin.md, every byte: one series, ten
    // samples 10 s apart, version 0, one float field. Format 3 writes these files the same but for the
    // version in their headers (PartFormat3Tests).
    [Fact]
    public void One_block_part_is_pinned_byte_by_byte_in_format_2()
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "value", ColumnValueType.Float64);
        double[] values = [12.5, 13.25, 12.75, 14.0, 13.5, 13.0, 14.25, 13.75, 12.5, 13.0];
        for (int i = 0; i < values.Length; i++)
        {
            batch.AddRow(7, 1_704_067_200_000_000_000L + (i * 10_000_000_000L), 0, [ColumnValue.FromFloat64(values[i])]);
        }

        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), new PartWriterOptions { Codec = CompressionCodec.None, Fsync = false, FormatVersion = 2 });
        string Hex(string file) => Convert.ToHexString(File.ReadAllBytes(Path.Combine(temp.Sub("p"), file)));
        Assert.Equal(
            "42595052" + "02000000" + "00" + "01" + "07" + "14" + "8080A896E08588A62F" + "8090D8C69E05" + "00" + "00"
            + "01" + "0576616C7565" + "02" + "00" + "00" + "05" + "00000303C4" + "10" + "13"
            + "00" + "01" + "03" + "C413" + "64" + "00" + "AF01" + "E807" + "00" + "DE6AA627",
            Hex(PartFileNames.Primary));
        Assert.Equal("42594656" + "02000000" + "00" + "13" + "9601" + "63" + "FA01" + "63" + "63" + "FA01" + "63" + "F901" + "64" + "52DF43F8", Hex(PartFileNames.FieldValues));
        Assert.Equal("42595453" + "02000000", Hex(PartFileNames.Timestamps));
        Assert.Equal(
            "42594D49" + "02000000" + "00" + "01" + "0700000000000000" + "0700000000000000" + "000065011710A617" + "0004D0F52B10A617"
            + "01000000" + "0800000000000000" + "37000000" + "05DD9CBF",
            Hex(PartFileNames.Meta));
    }

    // The tiny part's rows, pinned in every format (format 3 in PartFormat3Tests): two series of four rows, a float
    // field with a NaN, an int field with nulls, a string tag constant in series 2 and alternating in series 1, and an
    // int64-array tag.
    internal static WriteBatch TinyBatch()
    {
        var batch = new WriteBatch(DataKind.Measure);
        batch.AddColumn(null, "value", ColumnValueType.Float64);
        batch.AddColumn(null, "count", ColumnValueType.Int64);
        batch.AddColumn("default", "service", ColumnValueType.String);
        batch.AddColumn("default", "ids", ColumnValueType.Int64Array);
        for (int i = 0; i < 4; i++)
        {
            batch.AddRow(2, 1_700_000_000_000_000_000L + (i * 10_000_000_000L), 1,
                [ColumnValue.FromFloat64(1.25 * i), ColumnValue.FromInt64(100 + i), ColumnValue.FromString("svc-a"), ColumnValue.FromInt64Array([i, -i])]);
            batch.AddRow(1, 1_700_000_000_000_000_000L + (i * 10_000_000_000L), 1,
                [ColumnValue.FromFloat64(i == 2 ? double.NaN : 0.5), ColumnValue.Null, ColumnValue.FromString(i % 2 == 0 ? "svc-b" : "svc-c"), ColumnValue.Null]);
        }

        return batch;
    }

    // Each file of the part with its length and CRC-32C, in name order.
    internal static string[] Files(string part) =>
        [.. Directory.GetFiles(part).Order().Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length} {Crc32C.Compute(File.ReadAllBytes(f)):X8}")];
}
