using System.Buffers.Binary;
using Banyan.Storage.Checksums;
using Banyan.Storage.Index.Segments;
using Banyan.Storage.Index.Store;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Index;

/// <summary>
/// The segment file of version 3 (docs/format/index-segment.md, "Compressed file"): the version 2 image compressed
/// whole, and every way such a file can be damaged reported with the file and an offset.
/// </summary>
public sealed class IndexSegmentFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_version_3_file_is_header_length_codec_the_image_and_a_checksum()
    {
        byte[] image = Convert.FromHexString(IndexFormatGoldenTests.TinySegmentHex);
        byte[] file = IndexSegmentFile.Encode(image);

        // magic "BNIX", u32 version 3, u32 image length (193), then the codec byte.
        Assert.Equal("424E495803000000" + "C1000000", Convert.ToHexString(file, 0, 12));
        Assert.Equal(image.Length, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)));
        Assert.Contains(file[12], new byte[] { 0, 1 });
        Assert.Equal(Crc32C.Compute(file.AsSpan(0, file.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4)));
        Assert.Equal(image, IndexSegmentFile.ImageOf(file, "tiny.idx"));

        string path = Write("tiny.idx", file);
        IndexSegment segment = IndexSegment.Open(path);
        Assert.Equal(2, segment.DocCount);
        Assert.Equal(TagValue.FromStringArray(["a", "b"]), segment.StoredValue("t", 1));
    }

    [Fact]
    public void A_codec_0_file_holds_the_image_bytes_as_they_are()
    {
        // Pinned byte for byte where no compressor is involved: a file whose payload is stored (codec 0).
        byte[] image = Convert.FromHexString(IndexFormatGoldenTests.TinySegmentHex);
        byte[] file = Version3(image, codec: 0, image);
        Assert.Equal("424E495803000000" + "C1000000" + "00" + IndexFormatGoldenTests.TinySegmentHex, Convert.ToHexString(file.AsSpan(0, file.Length - 4)));
        Assert.Equal(image.Length, IndexSegment.Open(Write("stored.idx", file)).SizeInBytes);
    }

    [Fact]
    public void A_series_index_segment_is_stored_compressed_and_reads_back_the_same()
    {
        // Entity values as SkyWalking makes them (base64 names): the series index repeats them in keys, stored tags and
        // terms, so its files shrink by several times.
        string[] names = ["service_id", "instance_id", "endpoint_id"];
        SeriesIndex index = SeriesIndex.Open(_dir.Path, names);
        var series = new List<(string, IReadOnlyList<string>, IReadOnlyList<TagValue>)>();
        for (int i = 0; i < 2000; i++)
        {
            string service = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("service-" + (i % 20))) + ".1";
            series.Add(("latency", names, [
                TagValue.FromString(service),
                TagValue.FromString(service + "_" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("instance-" + (i % 100)))),
                TagValue.FromString(service + "_" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("/api/endpoint/" + i))),
            ]));
        }

        index.Register(1, series);
        index.Store.Flush();
        string file = Path.Combine(_dir.Path, index.Store.LiveFiles.Single(f => f.EndsWith(".idx", StringComparison.Ordinal)));
        byte[] bytes = File.ReadAllBytes(file);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(1, bytes[12]); // zstd
        int imageLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        Assert.True(bytes.Length * 3 < imageLength, $"{bytes.Length} bytes on disk for an image of {imageLength}");

        SeriesIndex reopened = SeriesIndex.Open(_dir.Path, names);
        Assert.Equal(2000, reopened.Count);
        (string _, IReadOnlyList<string> _, IReadOnlyList<TagValue> values) = series[1234];
        Assert.NotNull(reopened.Resolve("latency", values));
    }

    [Fact]
    public void Every_flipped_byte_and_every_cut_is_corruption_naming_the_file()
    {
        byte[] file = IndexSegmentFile.Encode(Convert.FromHexString(IndexFormatGoldenTests.TinySegmentHex));
        string path = Path.Combine(_dir.Path, "seg.idx");
        for (int i = 0; i < file.Length; i++)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[i] ^= 0x10;
            File.WriteAllBytes(path, damaged);
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Open(path));
            Assert.Equal(path, e.FilePath);
            Assert.InRange(e.Offset, 0, file.Length);
        }

        for (int length = 0; length < file.Length; length++)
        {
            File.WriteAllBytes(path, file.AsSpan(0, length).ToArray());
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Open(path));
            Assert.Equal(path, e.FilePath);
        }
    }

    [Fact]
    public void A_payload_that_does_not_decompress_is_corruption_at_the_payload()
    {
        // Checksums right, content wrong: what a bug in a writer would leave.
        byte[] image = Convert.FromHexString(IndexFormatGoldenTests.TinySegmentHex);
        string path = Write("bad.idx", Version3(image, codec: 1, [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00, 0x00]));
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Open(path));
        Assert.Equal((path, 13L), (e.FilePath, e.Offset));

        path = Write("lz4.idx", Version3(image, codec: 2, image));
        e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Open(path));
        Assert.Equal((path, 12L), (e.FilePath, e.Offset));
        Assert.Contains("codec 2", e.Detail, StringComparison.Ordinal);

        path = Write("short.idx", Version3(image[..100], codec: 0, image[..100]));
        e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Open(path));
        Assert.Equal(path + " (decompressed image)", e.FilePath);
    }

    [Fact]
    public void A_newer_version_is_refused_by_number_and_version_2_files_still_open()
    {
        byte[] file = IndexSegmentFile.Encode(Convert.FromHexString(IndexFormatGoldenTests.TinySegmentHex));
        file[4] = 4;
        ChecksumOver(file);
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => IndexSegment.Open(Write("v4.idx", file)));
        Assert.Equal(4, e.Offset);
        Assert.Contains("4", e.Detail, StringComparison.Ordinal);

        // A file of version 2 (what every earlier build wrote) is its image.
        IndexSegment v2 = IndexSegment.Open(Write("v2.idx", Convert.FromHexString(IndexFormatGoldenTests.TinySegmentHex)));
        Assert.Equal(0x1122334455667788UL, v2.SeriesIdAt(0));
    }

    [Fact]
    public void A_store_written_before_the_change_opens_and_merges_into_version_3()
    {
        // A store whose files are version 2 (written by an earlier build) opens, merges into a version 3 file, and
        // reopens with the same documents.
        var schema = new IndexSchema([new IndexedTag("svc")]);
        IndexStore store = IndexStore.Open(_dir.Path, schema);
        for (int batch = 1; batch <= 2; batch++)
        {
            store.AddBatch(batch, [new IndexDocument((ulong)batch, batch, new Dictionary<string, TagValue> { ["svc"] = TagValue.FromString("svc-" + batch) })]);
            store.Flush();
        }

        // Rewrite both files as their version 2 images and the manifest with their sizes: the folder an earlier build left.
        string manifestPath = Path.Combine(_dir.Path, store.LiveFiles.Single(f => f.EndsWith(IndexManifest.FileExtension, StringComparison.Ordinal)));
        IndexManifest manifest = IndexManifest.Decode(File.ReadAllBytes(manifestPath), manifestPath);
        var entries = new List<IndexManifestEntry>();
        foreach (IndexManifestEntry entry in manifest.Segments)
        {
            string path = Path.Combine(_dir.Path, IndexManifest.SegmentFileName(entry.SegmentId));
            byte[] image = IndexSegmentFile.ImageOf(File.ReadAllBytes(path), path);
            Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(4)));
            File.WriteAllBytes(path, image);
            entries.Add(entry with { FileLength = (ulong)image.Length });
        }

        File.WriteAllBytes(manifestPath, (manifest with { Segments = entries }).Encode());

        IndexStore reopened = IndexStore.Open(_dir.Path, schema);
        Assert.Equal([1L, 2L], reopened.View().Segments.SelectMany(s => Enumerable.Range(0, s.DocCount).Select(s.TimestampAt)).Order());
        Assert.True(reopened.Merge());
        string merged = Path.Combine(_dir.Path, reopened.LiveFiles.Single(f => f.EndsWith(".idx", StringComparison.Ordinal)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(merged).AsSpan(4)));
        IndexStore again = IndexStore.Open(_dir.Path, schema);
        Assert.Equal([1L, 2L], again.View().Segments.SelectMany(s => Enumerable.Range(0, s.DocCount).Select(s.TimestampAt)).Order());
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // A version 3 file declaring image's length and codec, with payload as given and a right checksum.
    private static byte[] Version3(byte[] image, byte codec, byte[] payload)
    {
        byte[] file = new byte[13 + payload.Length + 4];
        Convert.FromHexString("424E495803000000").CopyTo(file, 0);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8), image.Length);
        file[12] = codec;
        payload.CopyTo(file, 13);
        ChecksumOver(file);
        return file;
    }

    private static void ChecksumOver(byte[] file) =>
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), Crc32C.Compute(file.AsSpan(0, file.Length - 4)));
}
