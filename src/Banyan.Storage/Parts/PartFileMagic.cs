using System.Buffers.Binary;
using Banyan.Storage.Encodings;
using Banyan.Storage.Bytes;

namespace Banyan.Storage.Parts;

/// <summary>
/// The 8-byte header every binary part file starts with: a 4-byte ASCII magic naming the file type,
/// then the format version as a little-endian u32.
/// </summary>
public static class PartFileMagic
{
    /// <summary>Current format version of every part file.</summary>
    public const uint FormatVersion = 1;

    /// <summary>Size of the header.</summary>
    public const int HeaderSize = 8;

    /// <summary>meta.bin: "BYMI".</summary>
    public const uint Meta = 0x494D5942;

    /// <summary>primary.bin: "BYPR".</summary>
    public const uint Primary = 0x52505942;

    /// <summary>timestamps.bin: "BYTS".</summary>
    public const uint Timestamps = 0x53545942;

    /// <summary>fv.bin: "BYFV".</summary>
    public const uint FieldValues = 0x56465942;

    /// <summary>&lt;family&gt;.tf: "BYTF".</summary>
    public const uint TagValues = 0x46545942;

    /// <summary>&lt;family&gt;.tfm: "BYTM".</summary>
    public const uint TagMetadata = 0x4D545942;

    /// <summary>Appends the header for a file of type <paramref name="magic"/>.</summary>
    public static void Write(ByteBuffer output, uint magic)
    {
        output.WriteUInt32(magic);
        output.WriteUInt32(FormatVersion);
    }

    /// <summary>Checks the header read from <paramref name="path"/>.</summary>
    /// <exception cref="StorageCorruptionException">Wrong magic, unknown version, or the file is too short.</exception>
    public static void Validate(ReadOnlySpan<byte> header, string path, uint magic)
    {
        if (header.Length < HeaderSize)
        {
            throw new StorageCorruptionException(path, 0, $"file is {header.Length} bytes, shorter than its {HeaderSize}-byte header");
        }

        uint actual = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (actual != magic)
        {
            throw new StorageCorruptionException(path, 0, $"magic 0x{actual:X8}, expected 0x{magic:X8}");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version != FormatVersion)
        {
            throw new StorageCorruptionException(path, 4, $"format version {version}, this build reads {FormatVersion}");
        }
    }
}
