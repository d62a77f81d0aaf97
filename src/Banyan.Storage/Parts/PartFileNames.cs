namespace Banyan.Storage.Parts;

/// <summary>The names of every file of a part folder, and of the temporary folder a part is written in.</summary>
public static class PartFileNames
{
    /// <summary>Human-readable summary: counts, sizes, time range, format version, tag families (JSON).</summary>
    public const string Metadata = "metadata.json";

    /// <summary>Index over primary.bin chunks: series range, time range, offset and size of each.</summary>
    public const string Meta = "meta.bin";

    /// <summary>Compressed chunks of block headers.</summary>
    public const string Primary = "primary.bin";

    /// <summary>Per block: timestamps, then versions (measures) or element ids (streams).</summary>
    public const string Timestamps = "timestamps.bin";

    /// <summary>Per block and measure field: the encoded field column.</summary>
    public const string FieldValues = "fv.bin";

    /// <summary>Extension of a tag family's value file: <c>&lt;family&gt;.tf</c>.</summary>
    public const string TagValuesExtension = ".tf";

    /// <summary>Extension of a tag family's per-block column directory: <c>&lt;family&gt;.tfm</c>.</summary>
    public const string TagMetadataExtension = ".tfm";

    /// <summary>Suffix of the folder a part is written in before it is renamed into place.</summary>
    public const string TemporarySuffix = Durability.AtomicFile.TempSuffix;

    /// <summary>File name of tag family <paramref name="family"/>'s values.</summary>
    public static string TagValues(string family) => family + TagValuesExtension;

    /// <summary>File name of tag family <paramref name="family"/>'s column directories.</summary>
    public static string TagMetadata(string family) => family + TagMetadataExtension;
}
