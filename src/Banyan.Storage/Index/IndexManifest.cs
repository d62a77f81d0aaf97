using System.Buffers.Binary;
using Banyan.Storage.Checksums;

namespace Banyan.Storage.Index;

/// <summary>One flushed segment listed by a manifest.</summary>
/// <param name="SegmentId">Its id; the file is <c>&lt;016x id&gt;.idx</c>.</param>
/// <param name="DocCount">Documents it holds.</param>
/// <param name="FileLength">Its size in bytes (a shorter file is reported as truncated before parsing).</param>
public sealed record IndexManifestEntry(ulong SegmentId, uint DocCount, ulong FileLength);

/// <summary>
/// The index's snapshot file (<c>&lt;016x epoch&gt;.imf</c>, layout in <c>docs/format/index-manifest.md</c>):
/// which flushed segments are live, and up to which write batch their documents reach.
/// </summary>
/// <param name="Epoch">Increases with every manifest written; the file name carries it.</param>
/// <param name="AppliedBatchSequence">Highest write-batch sequence whose documents are in the listed segments (-1: none).</param>
/// <param name="NextSegmentId">Id the next flushed or merged segment gets.</param>
/// <param name="Segments">The live segments, oldest documents first.</param>
public sealed record IndexManifest(ulong Epoch, long AppliedBatchSequence, ulong NextSegmentId, IReadOnlyList<IndexManifestEntry> Segments)
{
    /// <summary>"BNIM" read as a little-endian u32.</summary>
    internal const uint Magic = 0x4D494E42;

    internal const ushort Version = 1;

    /// <summary>File name extension.</summary>
    public const string FileExtension = ".imf";

    private const int FixedSize = 4 + 2 + 2 + 8 + 8 + 8 + 4;
    private const int EntrySize = 8 + 4 + 8;

    /// <summary>The file name of a manifest with <paramref name="epoch"/>.</summary>
    public static string FileName(ulong epoch) => epoch.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + FileExtension;

    /// <summary>The file name of a segment.</summary>
    public static string SegmentFileName(ulong segmentId) => segmentId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + IndexSegmentFormat.FileExtension;

    /// <summary>Encodes the manifest.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[FixedSize + (Segments.Count * EntrySize) + 4];
        Span<byte> s = bytes;
        BinaryPrimitives.WriteUInt32LittleEndian(s, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(s[16..], AppliedBatchSequence);
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], NextSegmentId);
        BinaryPrimitives.WriteUInt32LittleEndian(s[32..], (uint)Segments.Count);
        int at = FixedSize;
        foreach (IndexManifestEntry e in Segments)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s[at..], e.SegmentId);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 8)..], e.DocCount);
            BinaryPrimitives.WriteUInt64LittleEndian(s[(at + 12)..], e.FileLength);
            at += EntrySize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(s[at..], Crc32C.Compute(s[..at]));
        return bytes;
    }

    /// <summary>Decodes and verifies a manifest read from <paramref name="file"/>.</summary>
    public static IndexManifest Decode(ReadOnlySpan<byte> bytes, string file)
    {
        if (bytes.Length < FixedSize + 4)
        {
            throw new StorageCorruptionException(file, 0, $"manifest is {bytes.Length} bytes, shorter than its {FixedSize + 4}-byte minimum");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (magic != Magic)
        {
            throw new StorageCorruptionException(file, 0, $"magic is 0x{magic:X8}, expected 0x{Magic:X8}");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (version != Version)
        {
            throw new StorageCorruptionException(file, 4, $"unsupported manifest version {version}, expected {Version}");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]) != 0)
        {
            throw new StorageCorruptionException(file, 6, "reserved manifest bytes are not 0");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]);
        long expectedLength = FixedSize + ((long)count * EntrySize) + 4;
        if (expectedLength != bytes.Length)
        {
            throw new StorageCorruptionException(file, 32, $"manifest lists {count} segments, which needs {expectedLength} bytes; the file has {bytes.Length}");
        }

        int crcAt = bytes.Length - 4;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[crcAt..]);
        uint actual = Crc32C.Compute(bytes[..crcAt]);
        if (stored != actual)
        {
            throw new StorageCorruptionException(file, crcAt, $"manifest checksum is 0x{actual:X8}, file says 0x{stored:X8}");
        }

        var entries = new IndexManifestEntry[count];
        int at = FixedSize;
        for (int i = 0; i < count; i++)
        {
            entries[i] = new IndexManifestEntry(
                BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes[(at + 8)..]),
                BinaryPrimitives.ReadUInt64LittleEndian(bytes[(at + 12)..]));
            at += EntrySize;
        }

        return new IndexManifest(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]),
            entries);
    }
}
