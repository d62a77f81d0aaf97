using Banyan.Storage.Bytes;
using Banyan.Storage.Durability;

namespace Banyan.Storage.Parts;

/// <summary>
/// The magics of the binary part files. Each file starts with the durability kit's
/// <see cref="FileHeader"/> (4-byte ASCII magic, u32 format version).
/// </summary>
public static class PartFileMagic
{
    /// <summary>Format version of every file of the parts this build writes.</summary>
    /// <remarks>
    /// Version 4 is written: version 3 (lean block headers, implied timestamps and versions, compact frames,
    /// Rice-coded integers, byte columns of one value stored once, tags named by number; docs/format/part.md) in which
    /// the entity tags of a block's series are not stored at all: their directory entries say
    /// <see cref="Columns.ColumnCodec.BytesFromSeriesKey"/> and the reader takes the values from the series index.
    /// Versions 1 to 3 are still read, so data written by earlier builds stays readable and is rewritten in version 4
    /// when merged.
    /// </remarks>
    public const uint FormatVersion = 4;

    /// <summary>Oldest format version this build reads.</summary>
    public const uint OldestReadableVersion = 1;

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

    /// <summary>Appends the header for a file of type <paramref name="magic"/> in format <paramref name="version"/>.</summary>
    public static void Write(ByteBuffer output, uint magic, uint version) => FileHeader.Write(output, magic, version);

    /// <summary>Checks the header read from <paramref name="path"/>: every file of a part has the version its metadata.json names.</summary>
    /// <exception cref="StorageCorruptionException">Wrong magic, another version, or the file is too short.</exception>
    public static void Validate(ReadOnlySpan<byte> header, string path, uint magic, uint version) => FileHeader.Read(header, path, magic, version, version);
}
