using System.Buffers.Binary;
using Banyan.Storage.Bytes;

namespace Banyan.Storage.Durability;

/// <summary>
/// The one header convention of Banyan's binary files (in the manner of Lucene's
/// <c>CodecUtil.writeHeader</c>): 8 bytes, a 4-byte ASCII magic naming the file type, then the
/// format version as a little-endian u32. Readers name the versions they read; an unknown version is
/// corruption (or a newer Banyan), reported with the file and offset 4.
/// </summary>
/// <remarks>
/// Every file type's magic and version is listed in <c>docs/format/</c>. Index files written before
/// this convention had "u16 version + u16 reserved = 0": the same bytes as a u32 version, so they
/// read unchanged.
/// </remarks>
public static class FileHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 8;

    /// <summary>The magic <paramref name="ascii"/> (exactly 4 ASCII characters) as the little-endian u32 the header stores.</summary>
    public static uint Magic(string ascii)
    {
        ArgumentNullException.ThrowIfNull(ascii);
        if (ascii.Length != 4 || !System.Text.Ascii.IsValid(ascii))
        {
            throw new ArgumentException($"magic '{ascii}' must be 4 ASCII characters", nameof(ascii));
        }

        return (uint)(ascii[0] | (ascii[1] << 8) | (ascii[2] << 16) | (ascii[3] << 24));
    }

    /// <summary>Appends the header.</summary>
    public static void Write(ByteBuffer output, uint magic, uint version)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteUInt32(magic);
        output.WriteUInt32(version);
    }

    /// <summary>Writes the header to the first 8 bytes of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, uint magic, uint version)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], version);
    }

    /// <summary>
    /// Checks the header at the start of <paramref name="file"/> (read from <paramref name="path"/>) and
    /// returns its version, one of <paramref name="minVersion"/>..<paramref name="maxVersion"/>.
    /// </summary>
    /// <exception cref="StorageCorruptionException">Too short, wrong magic, or a version this build does not read.</exception>
    public static uint Read(ReadOnlySpan<byte> file, string path, uint magic, uint minVersion, uint maxVersion)
    {
        if (file.Length < Size)
        {
            throw new StorageCorruptionException(path, 0, $"file is {file.Length} bytes, shorter than its {Size}-byte header");
        }

        uint actual = BinaryPrimitives.ReadUInt32LittleEndian(file);
        if (actual != magic)
        {
            throw new StorageCorruptionException(path, 0, $"magic 0x{actual:X8}, expected 0x{magic:X8} (\"{Ascii(magic)}\")");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(file[4..]);
        if (version < minVersion || version > maxVersion)
        {
            string readable = minVersion == maxVersion ? $"{minVersion}" : $"{minVersion} to {maxVersion}";
            throw new StorageCorruptionException(path, 4, $"format version {version}, this build reads {readable}");
        }

        return version;
    }

    private static string Ascii(uint magic) =>
        new([(char)(magic & 0xFF), (char)((magic >> 8) & 0xFF), (char)((magic >> 16) & 0xFF), (char)(magic >> 24)]);
}
