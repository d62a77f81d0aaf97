namespace Banyan.Storage.Index;

/// <summary>Constants of the index segment file (<c>docs/format/index-segment.md</c>).</summary>
internal static class IndexSegmentFormat
{
    /// <summary>"BNIX" read as a little-endian u32.</summary>
    public const uint Magic = 0x58494E42;

    public const ushort Version = 1;

    public const int HeaderSize = 8;

    public const int FooterSize = 24;

    public const byte SectionDocTable = 1;

    public const byte SectionField = 2;

    public const byte FieldFlagStored = 1;

    public const byte FieldFlagTokens = 2;

    /// <summary>Set when whole values were not indexed (the exact dictionary is empty by design).</summary>
    public const byte FieldFlagNoExactTerms = 4;

    /// <summary>Set when some document has more than one atom (an array with two or more elements) in this field.</summary>
    public const byte FieldFlagMultiValued = 8;

    /// <summary>Bytes per document in the doc table: series id u64 + timestamp i64.</summary>
    public const int DocEntrySize = 16;

    /// <summary>File name extension of a flushed segment.</summary>
    public const string FileExtension = ".idx";
}
