using Banyan.Storage.Bytes;
using Banyan.Storage.Durability;

namespace Banyan.Storage.Parts;

/// <summary>
/// The magics of the binary part files. Each file starts with the durability kit's
/// <see cref="FileHeader"/> (4-byte ASCII magic, u32 format version).
/// </summary>
public static class PartFileMagic
{
    /// <summary>Current format version of every part file.</summary>
    public const uint FormatVersion = 1;

    /// <summary>Size of the header.</summary>
    public const int HeaderSize = FileHeader.Size;

    /// <summary>meta.bin: "BYMI".</summary>
    public static readonly uint Meta = FileHeader.Magic("BYMI");

    /// <summary>primary.bin: "BYPR".</summary>
    public static readonly uint Primary = FileHeader.Magic("BYPR");

    /// <summary>timestamps.bin: "BYTS".</summary>
    public static readonly uint Timestamps = FileHeader.Magic("BYTS");

    /// <summary>fv.bin: "BYFV".</summary>
    public static readonly uint FieldValues = FileHeader.Magic("BYFV");

    /// <summary>&lt;family&gt;.tf: "BYTF".</summary>
    public static readonly uint TagValues = FileHeader.Magic("BYTF");

    /// <summary>&lt;family&gt;.tfm: "BYTM".</summary>
    public static readonly uint TagMetadata = FileHeader.Magic("BYTM");

    /// <summary>Appends the header for a file of type <paramref name="magic"/>.</summary>
    public static void Write(ByteBuffer output, uint magic) => FileHeader.Write(output, magic, FormatVersion);

    /// <summary>Checks the header read from <paramref name="path"/>.</summary>
    /// <exception cref="StorageCorruptionException">Wrong magic, unknown version, or the file is too short.</exception>
    public static void Validate(ReadOnlySpan<byte> header, string path, uint magic) => FileHeader.Read(header, path, magic, FormatVersion, FormatVersion);
}
