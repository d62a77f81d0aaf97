using Banyan.Storage.Durability;

namespace Banyan.Storage.Index.Segments;

/// <summary>Constants of the index segment file (<c>docs/format/index-segment.md</c>).</summary>
internal static class IndexSegmentFormat
{
    /// <summary>"BNIX" as the header's u32.</summary>
    public static readonly uint Magic = FileHeader.Magic("BNIX");

    /// <summary>Version written: 2 adds the durability kit's checksum footer after the 24-byte trailer.</summary>
    public const uint Version = 2;

    /// <summary>Oldest version read: 1, the same layout without the checksum footer.</summary>
    public const uint OldestReadableVersion = 1;

    public const int HeaderSize = 8;

    /// <summary>The trailer before the checksum footer: directory offset and length, directory CRC, document count, magic.</summary>
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
