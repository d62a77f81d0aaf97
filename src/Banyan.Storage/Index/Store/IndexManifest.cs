using System.Buffers.Binary;
using Banyan.Storage.Bytes;
using Banyan.Storage.Durability;
using Banyan.Storage.Index.Segments;

namespace Banyan.Storage.Index.Store;

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
    /// <summary>"BNIM" as the header's u32.</summary>
    internal static uint Magic { get; } = FileHeader.Magic("BNIM");

    internal const uint Version = 1;

    /// <summary>File name extension.</summary>
    public const string FileExtension = ".imf";

    private const int FixedSize = FileHeader.Size + 8 + 8 + 8 + 4;
    private const int EntrySize = 8 + 4 + 8;

    /// <summary>The file name of a manifest with <paramref name="epoch"/>.</summary>
    public static string FileName(ulong epoch) => HexFileName.Format(epoch, FileExtension);

    /// <summary>The file name of a segment.</summary>
    public static string SegmentFileName(ulong segmentId) => HexFileName.Format(segmentId, IndexSegmentFormat.FileExtension);

    /// <summary>Encodes the manifest.</summary>
    public byte[] Encode()
    {
        using var output = new ByteBuffer(FixedSize + (Segments.Count * EntrySize) + ChecksumFooter.Size);
        FileHeader.Write(output, Magic, Version);
        output.WriteUInt64(Epoch);
        output.WriteInt64(AppliedBatchSequence);
        output.WriteUInt64(NextSegmentId);
        output.WriteUInt32((uint)Segments.Count);
        foreach (IndexManifestEntry e in Segments)
        {
            output.WriteUInt64(e.SegmentId);
            output.WriteUInt32(e.DocCount);
            output.WriteUInt64(e.FileLength);
        }

        ChecksumFooter.Append(output);
        return output.ToArray();
    }

    /// <summary>Decodes and verifies a manifest read from <paramref name="file"/>.</summary>
    public static IndexManifest Decode(ReadOnlySpan<byte> bytes, string file)
    {
        if (bytes.Length < FixedSize + ChecksumFooter.Size)
        {
            throw new StorageCorruptionException(file, 0, $"manifest is {bytes.Length} bytes, shorter than its {FixedSize + ChecksumFooter.Size}-byte minimum");
        }

        FileHeader.Read(bytes, file, Magic, Version, Version);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]);
        long expectedLength = FixedSize + ((long)count * EntrySize) + ChecksumFooter.Size;
        if (expectedLength != bytes.Length)
        {
            throw new StorageCorruptionException(file, 32, $"manifest lists {count} segments, which needs {expectedLength} bytes; the file has {bytes.Length}");
        }

        var reader = new SpanReader(ChecksumFooter.Verify(bytes, file), file, 0);
        reader.ReadSpan(FileHeader.Size);
        ulong epoch = reader.ReadUInt64();
        long applied = reader.ReadInt64();
        ulong nextSegmentId = reader.ReadUInt64();
        reader.ReadUInt32(); // the segment count, checked above
        var entries = new IndexManifestEntry[count];
        for (int i = 0; i < count; i++)
        {
            entries[i] = new IndexManifestEntry(reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt64());
        }

        reader.EnsureEnd();
        return new IndexManifest(epoch, applied, nextSegmentId, entries);
    }
}
