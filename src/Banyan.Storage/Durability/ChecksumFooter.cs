using System.Buffers.Binary;
using Banyan.Storage.Bytes;
using Banyan.Storage.Checksums;

namespace Banyan.Storage.Durability;

/// <summary>
/// The one checksum footer of Banyan's files that are written whole and read whole (snapshots,
/// index manifests, index segments): the last 4 bytes are the CRC-32C (Castagnoli) of every
/// preceding byte of the file, little-endian. A flipped bit anywhere, a truncation or a torn write
/// fails the check (Lucene's <c>CodecUtil</c> footer plays the same role). Files made of separately
/// checksummed frames or records that are read piece by piece (part data files, WAL files) carry
/// their checksums per frame instead.
/// </summary>
public static class ChecksumFooter
{
    /// <summary>Size of the footer in bytes.</summary>
    public const int Size = 4;

    /// <summary>Appends the CRC-32C of everything written to <paramref name="file"/> so far.</summary>
    public static void Append(ByteBuffer file)
    {
        ArgumentNullException.ThrowIfNull(file);
        file.WriteUInt32(Crc32C.Compute(file.WrittenSpan));
    }

    /// <summary>Fills the last 4 bytes of <paramref name="file"/> with the CRC-32C of the bytes before them.</summary>
    public static void Seal(Span<byte> file)
    {
        int at = file.Length - Size;
        BinaryPrimitives.WriteUInt32LittleEndian(file[at..], Crc32C.Compute(file[..at]));
    }

    /// <summary>
    /// Checks the footer of <paramref name="file"/> (read from <paramref name="path"/>) and returns the
    /// bytes it covers (the file without its footer).
    /// </summary>
    /// <exception cref="StorageCorruptionException">The file is shorter than the footer, or the checksum differs.</exception>
    public static ReadOnlySpan<byte> Verify(ReadOnlySpan<byte> file, string path)
    {
        if (file.Length < Size)
        {
            throw new StorageCorruptionException(path, 0, $"file is {file.Length} bytes, shorter than its {Size}-byte checksum footer");
        }

        int at = file.Length - Size;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(file[at..]);
        uint actual = Crc32C.Compute(file[..at]);
        if (stored != actual)
        {
            throw new StorageCorruptionException(path, at, $"checksum 0x{actual:X8} of the first {at} bytes, footer says 0x{stored:X8}");
        }

        return file[..at];
    }
}
