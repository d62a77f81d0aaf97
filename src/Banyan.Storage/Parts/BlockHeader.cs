using Banyan.Storage.Encodings;

namespace Banyan.Storage.Parts;

/// <summary>
/// Describes one block of a part: its series, row count, time range, where its timestamps and columns
/// are stored, and field statistics. Obtained from <see cref="IPartReader.FindBlocks"/>; pass it back
/// to <see cref="IPartReader.ReadBlock"/> of the same part.
/// </summary>
public sealed class BlockHeader
{
    internal BlockHeader(ulong seriesId, int rowCount, long minTimestamp, long maxTimestamp, long timestampsOffset, int timestampsSize,
        IntegerEncodingKind timestampsEncoding, IntegerEncodingKind versionsEncoding, ColumnHeader[] fields, TagFamilyHeader[] tagFamilies, Block? memoryRows)
    {
        TimestampsEncoding = timestampsEncoding;
        VersionsEncoding = versionsEncoding;
        SeriesId = seriesId;
        RowCount = rowCount;
        MinTimestamp = minTimestamp;
        MaxTimestamp = maxTimestamp;
        TimestampsOffset = timestampsOffset;
        TimestampsSize = timestampsSize;
        _fields = fields;
        Fields = fields;
        TagFamilies = tagFamilies;
        MemoryRows = memoryRows;
    }

    // Fields as the array it is, for lookups without an interface call per column.
    private readonly ColumnHeader[] _fields;

    // The decoded-block cache's entry last found or added for this block (DecodedBlockCache.ReadField), so that a
    // repeated read finds it without a table lookup. Written and read without a lock: a reader sees null, an older
    // entry or a newer one, and each is checked before use.
    private DecodedBlockCache.Entry? _decodedEntry;

    internal DecodedBlockCache.Entry? DecodedEntry
    {
        get => Volatile.Read(ref _decodedEntry);
        set => Volatile.Write(ref _decodedEntry, value);
    }

    /// <summary>Series of every row of the block.</summary>
    public ulong SeriesId { get; }

    /// <summary>Number of rows (at least 1).</summary>
    public int RowCount { get; }

    /// <summary>Smallest timestamp, nanoseconds.</summary>
    public long MinTimestamp { get; }

    /// <summary>Largest timestamp, nanoseconds.</summary>
    public long MaxTimestamp { get; }

    /// <summary>Offset of the block's frame in timestamps.bin (0 for a memory part).</summary>
    public long TimestampsOffset { get; }

    /// <summary>Size of that frame.</summary>
    public int TimestampsSize { get; }

    /// <summary>Encoding chosen for the block's timestamps (Const in memory parts).</summary>
    public IntegerEncodingKind TimestampsEncoding { get; }

    /// <summary>Encoding chosen for the block's versions or element ids (Const in memory parts).</summary>
    public IntegerEncodingKind VersionsEncoding { get; }

    /// <summary>
    /// Whether the block's timestamps are stored in its timestamps.bin frame. Format 2 stores none for
    /// evenly spaced timestamps (row i at min + i·(max − min)/(rowCount − 1)); format 1 always stores them.
    /// </summary>
    public bool TimestampsStored { get; init; } = true;

    /// <summary>Whether the versions (element ids) are stored; format 2 keeps a constant version in the header (<see cref="ConstantVersion"/>).</summary>
    public bool VersionsStored { get; init; } = true;

    /// <summary>The version of every row when <see cref="VersionsStored"/> is false.</summary>
    public long ConstantVersion { get; init; }

    /// <summary>Measure fields, with statistics.</summary>
    public IReadOnlyList<ColumnHeader> Fields { get; }

    /// <summary>Tag families present in the block.</summary>
    public IReadOnlyList<TagFamilyHeader> TagFamilies { get; }

    /// <summary>
    /// For a block of a memory part, the part's row store that holds its rows (rows <see cref="MemoryFirstRow"/> ..
    /// + <see cref="RowCount"/>, columns those of the store); null for a disk part's block.
    /// </summary>
    internal Block? MemoryRows { get; }

    /// <summary>The block's first row in <see cref="MemoryRows"/>.</summary>
    internal int MemoryFirstRow { get; init; }

    /// <summary>
    /// For a block of a memory part, bit c set when column c of <see cref="MemoryRows"/> holds the block's series
    /// entity value in every row (<see cref="Columns.ColumnBuffer.HoldsSeriesEntity"/> of the block's column).
    /// </summary>
    internal ulong MemoryEntityColumns { get; init; }

    /// <summary>
    /// For a block of a memory part, bit c set when column c of <see cref="MemoryRows"/> holds one row per block, the
    /// block's value for all its rows, at row <see cref="MemoryStoreBlock"/> (see <c>MemoryPart.RowRange</c>).
    /// </summary>
    internal ulong MemoryOnePerBlockColumns { get; init; }

    /// <summary>The block's row in the one-per-block columns of <see cref="MemoryRows"/>.</summary>
    internal int MemoryStoreBlock { get; init; }

    /// <summary>The part whose <see cref="IPartReader.FindBlocks"/> produced this header (checked by ReadBlock).</summary>
    internal IPartReader? Owner { get; set; }

    /// <summary>The field header named <paramref name="name"/>, or null.</summary>
    public ColumnHeader? FindField(string name)
    {
        int at = 0;
        return FindField(name, ref at);
    }

    /// <summary>
    /// The field header named <paramref name="name"/>, or null, looked for first at <paramref name="at"/> and set to
    /// where it was found: the blocks of a part mostly list their fields in one order, so a caller going through many
    /// blocks finds the field at the first comparison.
    /// </summary>
    internal ColumnHeader? FindField(string name, ref int at)
    {
        ColumnHeader[] fields = _fields;
        if ((uint)at < (uint)fields.Length && fields[at].Name == name)
        {
            return fields[at];
        }

        for (int i = 0; i < fields.Length; i++)
        {
            if (fields[i].Name == name)
            {
                at = i;
                return fields[i];
            }
        }

        return null;
    }
}
