using System.Buffers.Binary;
using Banyan.Storage.Bytes;
using Banyan.Storage.Compression;
using Banyan.Storage.Durability;

namespace Banyan.Storage.Index.Segments;

/// <summary>
/// How an index segment's image is stored in its <c>.idx</c> file (<c>docs/format/index-segment.md</c>). Since file
/// version 3 the image (a version 2 segment, as built in memory) is compressed whole with zstd:
/// <code>
/// u32 magic "BNIX", u32 version 3
/// u32 image length (bytes after decompression)
/// u8  codec (0 none, 1 zstd)
///     the image, compressed with the codec
/// u32 CRC-32C of every byte before it
/// </code>
/// Versions 1 and 2 are the image itself. A segment is read whole when its shard opens and then used in memory, so
/// nothing reads a compressed file piece by piece. The series index repeats its entity values in the series key, the
/// stored tags and the term dictionaries, which zstd takes to about a seventh.
/// </summary>
internal static class IndexSegmentFile
{
    /// <summary>The file version of a compressed segment.</summary>
    public const uint CompressedVersion = 3;

    /// <summary>zstd level for segment files: segments are written once per flush or merge and read once per open.</summary>
    public const int ZstdLevel = 3;

    // Header, image length, codec.
    private const int PrefixSize = FileHeader.Size + 4 + 1;

    /// <summary>
    /// The file bytes for <paramref name="image"/> (a version 2 segment image): version 3, compressed. An image larger
    /// than <see cref="BlockCompressor.MaxRawLength"/> is written as it is (version 2), which every reader takes.
    /// </summary>
    public static byte[] Encode(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Length > BlockCompressor.MaxRawLength)
        {
            return image;
        }

        using var output = new ByteBuffer((image.Length / 4) + PrefixSize + ChecksumFooter.Size + 64);
        FileHeader.Write(output, IndexSegmentFormat.Magic, CompressedVersion);
        output.WriteUInt32((uint)image.Length);
        int codecAt = output.Length;
        output.WriteByte(0);
        CompressionCodec used = BlockCompressor.Compress(CompressionCodec.Zstd, ZstdLevel, image, output);
        output.PatchByte(codecAt, (byte)used);
        ChecksumFooter.Append(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The segment image held by <paramref name="file"/> (read from <paramref name="path"/>): the decompressed image for
    /// version 3, the file itself for versions 1 and 2. The image is parsed (and its own checks run) by the caller.
    /// </summary>
    /// <exception cref="StorageCorruptionException">Wrong magic, a version this build does not read, a failed checksum, or a payload that does not decompress to the declared length.</exception>
    public static byte[] ImageOf(byte[] file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        uint version = FileHeader.Read(file, path, IndexSegmentFormat.Magic, IndexSegmentFormat.OldestReadableVersion, CompressedVersion);
        if (version < CompressedVersion)
        {
            return file;
        }

        if (file.Length < PrefixSize + ChecksumFooter.Size)
        {
            throw new StorageCorruptionException(path, 0, $"file is {file.Length} bytes, shorter than a version {CompressedVersion} segment's {PrefixSize + ChecksumFooter.Size}-byte frame");
        }

        ReadOnlySpan<byte> covered = ChecksumFooter.Verify(file, path);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(covered[FileHeader.Size..]);
        if (length > BlockCompressor.MaxRawLength)
        {
            throw new StorageCorruptionException(path, FileHeader.Size, $"image length {length} is more than the limit {BlockCompressor.MaxRawLength}");
        }

        byte codec = covered[FileHeader.Size + 4];
        if (codec is not ((byte)CompressionCodec.None or (byte)CompressionCodec.Zstd))
        {
            throw new StorageCorruptionException(path, FileHeader.Size + 4, $"codec {codec} is not one a segment file uses (0 none, 1 zstd)");
        }

        byte[] image = new byte[length];
        try
        {
            BlockCompressor.Decompress((CompressionCodec)codec, covered[PrefixSize..], image);
        }
        catch (StorageCorruptionException e) when (e.FilePath == EncodingCorruption.Source)
        {
            throw new StorageCorruptionException(path, PrefixSize, e.Detail, e);
        }

        return image;
    }
}
