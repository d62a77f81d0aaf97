using Banyan.Storage.Index.Analysis;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Index;

/// <summary>Pins the byte layout documented in docs/format/index-segment.md and docs/format/index-manifest.md.</summary>
public sealed class IndexFormatGoldenTests
{
    /// <summary>Two documents; tag "t" (no analyzer, stored) = "b" and [ "a", "b" ]; tag "w" (simple analyzer, indexed_only) = "Hi hi".</summary>
    internal static byte[] TinySegment()
    {
        var schema = new IndexSchema([new IndexedTag("t"), new IndexedTag("w", AnalyzerKind.Simple, Stored: false)]);
        var builder = new IndexSegmentBuilder(schema);
        builder.Add(new IndexDocument(0x1122334455667788, 5, new Dictionary<string, TagValue>
        {
            ["t"] = TagValue.FromString("b"),
            ["w"] = TagValue.FromString("Hi hi"),
        }));
        builder.Add(new IndexDocument(2, -1, new Dictionary<string, TagValue> { ["t"] = TagValue.FromStringArray(["a", "b"]) }));
        return builder.Build("tiny").Image;
    }

    internal const string TinySegmentHex =
        "424E495802000000" + // header: magic "BNIX", u32 version 2
        "8877665544332211" + "0500000000000000" + // doc 0: series id, timestamp 5
        "0200000000000000" + "FFFFFFFFFFFFFFFF" + // doc 1: series id 2, timestamp -1
        "0900" + "02010C0407" + // field "t": flags stored + multi-valued, analyzer none; exact dictionary: 2 terms, 1 block, blocks 12 B, index 4 B, postings 7 B
        "02" + "00" + "020161" + "00" + "03" + "01" + "0162" + "03" + "04" + // block of 2: "\x01a" -> postings @0 len 3; shares 1, adds "b" -> @0+3 len 4
        "020161" + "00" + // sparse index: first term "\x01a", block at 0
        "010101" + "01020001" + // postings: short [1]; short [0, +1]
        "00000000" + "02000000" + "08000000" + // stored value offsets (docCount + 1)
        "0162" + // doc 0: kind 1 (string) "b"
        "050201610162" + // doc 1: kind 5 (string array), 2 elements "a", "b"
        "0203" + // field "w": flags tokens, analyzer simple (3); exact dictionary holds "\x01Hi hi", token dictionary holds "hi"
        "01010B0803" + "01" + "00" + "06014869206869" + "00" + "03" + "06014869206869" + "00" + "010100" +
        "0101070403" + "01" + "00" + "026869" + "00" + "03" + "026869" + "00" + "010100" +
        // directory: 3 sections of (kind, name, offset, length, crc32c)
        "03" +
        "01" + "00" + "08" + "20" + "2CA27399" +
        "02" + "0174" + "28" + "32" + "C9DCD70B" +
        "02" + "0177" + "5A" + "30" + "471ED6F0" +
        // trailer: directory offset, directory length, directory crc, doc count, magic
        "8A00000000000000" + "1B000000" + "8F786439" + "02000000" + "424E4958" +
        // checksum footer (version 2): CRC-32C of the 189 bytes before it
        "20357D17";

    /// <summary>The same segment as written by version 1 (before the checksum footer): must still read.</summary>
    internal const string TinySegmentVersion1Hex =
        "424E495801000000887766554433221105000000000000000200000000000000FFFFFFFFFFFFFFFF090002010C0407020002016100030101620304" +
        "02016100010101010200010000000002000000080000000162050201610162020301010B0803010006014869206869000306014869206869000101" +
        "000101070403010002686900030268690001010003010008202CA273990201742832C9DCD70B0201775A30471ED6F08A000000000000001B000000" +
        "8F78643902000000424E4958";

    [Fact]
    public void SegmentBytesMatchTheDocumentedLayout()
    {
        byte[] image = TinySegment();
        Assert.Equal(TinySegmentHex, Convert.ToHexString(image));
        AssertTinySegment(IndexSegment.Parse(image, "tiny", verifyChecksums: true));
    }

    [Fact]
    public void Version1SegmentsStillRead()
    {
        byte[] image = Convert.FromHexString(TinySegmentVersion1Hex);
        AssertTinySegment(IndexSegment.Parse(image, "tiny-v1.idx", verifyChecksums: true));

        // The version 1 reader keeps its checks: every flipped byte is caught (section, directory or trailer).
        for (int i = 0; i < image.Length; i++)
        {
            byte[] damaged = (byte[])image.Clone();
            damaged[i] ^= 0x04;
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Parse(damaged, "tiny-v1.idx", verifyChecksums: true));
            Assert.Equal("tiny-v1.idx", e.FilePath);
        }
    }

    [Fact]
    public void AFlipInsideASectionOfAVersion2FileNamesTheSection()
    {
        byte[] image = Convert.FromHexString(TinySegmentHex);
        image[0x30] ^= 0x01; // inside field "t" (0x28..0x5A)
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Parse(image, "tiny.idx", verifyChecksums: true));
        Assert.Equal(0x28, e.Offset);
        image[0x30] ^= 0x01;
        image[^2] ^= 0x01; // the footer itself
        e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Parse(image, "tiny.idx", verifyChecksums: true));
        Assert.Equal(image.Length - 4, e.Offset);
    }

    private static void AssertTinySegment(IndexSegment segment)
    {
        Assert.Equal(2, segment.DocCount);
        Assert.Equal(0x1122334455667788UL, segment.SeriesIdAt(0));
        Assert.Equal(-1, segment.TimestampAt(1));
        Assert.Equal(TagValue.FromStringArray(["a", "b"]), segment.StoredValue("t", 1));
        Assert.Null(segment.StoredValue("w", 0));
    }

    private static string Crc(byte[] image, int offset, int length)
    {
        uint crc = Banyan.Storage.Checksums.Crc32C.Compute(image.AsSpan(offset, length));
        return Convert.ToHexString(BitConverter.GetBytes(crc)); // little-endian on every supported platform
    }

    [Fact]
    public void ManifestBytesMatchTheDocumentedLayout()
    {
        var manifest = new IndexManifest(3, 42, 7, [new IndexManifestEntry(5, 100, 0x1234)]);
        byte[] bytes = manifest.Encode();
        string expected =
            "424E494D" + "01000000" + // magic "BNIM", u32 version 1 (written as u16 version + u16 reserved 0 before: the same bytes)
            "0300000000000000" + // epoch 3
            "2A00000000000000" + // applied batch sequence 42
            "0700000000000000" + // next segment id 7
            "01000000" + // one segment
            "0500000000000000" + "64000000" + "3412000000000000" + // id 5, 100 docs, 0x1234 bytes
            Crc(bytes, 0, bytes.Length - 4);
        Assert.Equal(expected, Convert.ToHexString(bytes));
        Assert.Equal(manifest.Segments, IndexManifest.Decode(bytes, "m").Segments);
        Assert.Equal("0000000000000003.imf", IndexManifest.FileName(3));

        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x10;
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexManifest.Decode(damaged, "m.imf"));
            Assert.Equal("m.imf", e.FilePath);
        }

        Assert.Throws<StorageCorruptionException>(() => IndexManifest.Decode(bytes.AsSpan(0, bytes.Length - 1), "m.imf"));
    }
}
