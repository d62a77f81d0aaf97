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
    [Fact]
    public void Tiny_part_files_are_pinned()
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

        using var temp = new TempDirectory();
        MemoryPart.Build(batch).WriteTo(temp.Sub("p"), new PartWriterOptions { Codec = CompressionCodec.None, Fsync = false });
        var actual = Directory.GetFiles(temp.Sub("p")).Order()
            .Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length} {Crc32C.Compute(File.ReadAllBytes(f)):X8}");
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
}
