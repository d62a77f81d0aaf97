using System.Diagnostics;
using Banyan.Storage.Columns;
using Banyan.Storage.Encodings;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// A part held in memory: a write batch sorted by (series, timestamp, version descending),
/// deduplicated by version for measures, cut into blocks by the same rules as on disk. Readable through
/// <see cref="IPartReader"/> like a disk part, and written to disk by <see cref="WriteTo"/> with the
/// same <see cref="PartWriter"/>. Immutable once built.
/// </summary>
/// <remarks>
/// The rows are not kept block by block: each subject's rows sit in one row store (a <see cref="Block"/> whose columns
/// are the subject's, its rows in block order) and a block is a range of it (<see cref="BlockHeader.MemoryRows"/>). A
/// seal of 256 Ki rows cut into blocks of a few dozen rows made some ten thousand blocks, each a <see cref="Block"/>
/// with its key arrays and a <see cref="ColumnBuffer"/> with its arrays per column: half a million objects that lived
/// until the flush, so the collector copied them into older generations and marked them again and again. A reader gets
/// a block's rows copied out of the store (<see cref="ReadBlock"/>), as it did from a block before.
/// </remarks>
public sealed class MemoryPart : IPartReader
{
    private readonly BlockHeader[] _headers;
    private IReadOnlyList<Block>? _blocks;

    private MemoryPart(BlockHeader[] headers, PartMetadata metadata)
    {
        _headers = headers;
        Metadata = metadata;
    }

    /// <inheritdoc />
    public PartMetadata Metadata { get; }

    /// <summary>
    /// The blocks, in (series, time) order, each with every column: copies made from the row stores on first use and
    /// kept (for tests and tools; readers use <see cref="ReadBlock"/>).
    /// </summary>
    public IReadOnlyList<Block> Blocks => _blocks ?? Interlocked.CompareExchange(ref _blocks, CopyBlocks(), null) ?? _blocks;

    /// <summary>The block headers (with field statistics), parallel to <see cref="Blocks"/>.</summary>
    public IReadOnlyList<BlockHeader> Headers => _headers;

    /// <summary>
    /// Builds a memory part from <paramref name="batch"/> (which is not modified and may be reused
    /// after): rows sorted by (series, timestamp), measures deduplicated by version, stream rows of
    /// equal keys in their order in the batch; built by <see cref="MemoryPartBuilder"/>, as a shard
    /// builds its memory parts.
    /// </summary>
    /// <exception cref="InvalidOperationException">A column of the batch does not have one value per row.</exception>
    public static MemoryPart Build(WriteBatch batch, PartWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return MemoryPartBuilder.Build([batch], batch.Kind, options ?? PartWriterOptions.Default);
    }

    /// <summary>
    /// A block of a memory part: <paramref name="Count"/> rows of <paramref name="Rows"/> from <paramref name="First"/>,
    /// all of series <paramref name="SeriesId"/>; bit c of <paramref name="EntityColumns"/> set when column c holds the
    /// series' entity value in every one of them.
    /// </summary>
    internal readonly record struct RowRange(Block Rows, int First, int Count, ulong SeriesId, ulong EntityColumns)
    {
        /// <summary>
        /// Bit c set when column c of <see cref="Rows"/> holds one row per block instead of one per row: the block's
        /// value, the same in each of its rows, at row <see cref="StoreBlock"/> of that column. A seal keeps a series'
        /// entity tags so (<c>MemoryPartBuilder</c>): a start and a length per row for a value the whole block shares
        /// were the largest arrays of a memory part after its keys.
        /// </summary>
        public ulong OnePerBlockColumns { get; init; }

        /// <summary>The block's ordinal among the blocks of <see cref="Rows"/>: its row in the one-per-block columns.</summary>
        public int StoreBlock { get; init; }

        /// <summary>
        /// The bytes the block's rows of its one-per-block columns would add to the store's
        /// <see cref="Block.UncompressedSize"/> beyond the one row each keeps: a memory part's size counts every row as
        /// its own copy, however it is held.
        /// </summary>
        public long CompactedBytes { get; init; }
    }

    /// <summary>
    /// Makes a memory part of <paramref name="blockArray"/>: blocks already cut by the
    /// <see cref="BlockCutter"/>, in (series, timestamp) order, measures deduplicated;
    /// <paramref name="families"/> are the tag families the blocks use, in name order. Each block is its own row store.
    /// </summary>
    internal static MemoryPart FromBlocks(DataKind kind, Block[] blockArray, IReadOnlyCollection<string> families)
    {
        var ranges = new RowRange[blockArray.Length];
        for (int b = 0; b < blockArray.Length; b++)
        {
            Block block = blockArray[b];
            ulong entity = 0;
            for (int c = 0; c < Math.Min(block.Columns.Count, 64); c++)
            {
                entity |= block.Columns[c].HoldsSeriesEntity ? 1UL << c : 0;
            }

            ranges[b] = new RowRange(block, 0, block.Count, block.SeriesId, entity);
        }

        return FromRanges(kind, ranges, blockArray, families);
    }

    /// <summary>
    /// Makes a memory part of <paramref name="ranges"/>, blocks in (series, timestamp) order cut by the
    /// <see cref="BlockCutter"/>, measures deduplicated, whose rows are in <paramref name="stores"/> (each store once);
    /// <paramref name="families"/> are the tag families the blocks use, in name order.
    /// </summary>
    internal static MemoryPart FromRanges(DataKind kind, IReadOnlyList<RowRange> ranges, IReadOnlyList<Block> stores, IReadOnlyCollection<string> families)
    {
        var headers = new BlockHeader[ranges.Count];
        long seriesCount = 0;
        long rows = 0;
        long min = long.MaxValue, max = long.MinValue;
        long compacted = 0;

        // Every block of a store has the store's tag families and field columns: worked out once per store, the
        // families' list shared by its blocks' headers.
        var layouts = new List<StoreLayout>();
        for (int b = 0; b < ranges.Count; b++)
        {
            RowRange range = ranges[b];
            Block store = range.Rows;
            ReadOnlySpan<long> timestamps = store.Timestamps.Slice(range.First, range.Count);
            Debug.Assert(b == 0 || ranges[b - 1].SeriesId < range.SeriesId || (ranges[b - 1].SeriesId == range.SeriesId && headers[b - 1].MaxTimestamp <= timestamps[0]),
                "blocks out of (series, timestamp) order (bug in the caller): FindBlocks promises that order");
            StoreLayout layout = LayoutOf(store, layouts);
            var fields = new ColumnHeader[layout.FieldColumns.Length];
            for (int f = 0; f < fields.Length; f++)
            {
                ColumnBuffer column = store.Columns[layout.FieldColumns[f]];
                fields[f] = new ColumnHeader(column.Name, column.Type, 0, 0, 0, ColumnStatistics.Compute(column, range.First, range.Count));
            }

            headers[b] = new BlockHeader(range.SeriesId, range.Count, timestamps[0], timestamps[^1], 0, 0,
                IntegerEncodingKind.Const, IntegerEncodingKind.Const, fields, layout.Families, store)
            {
                MemoryFirstRow = range.First,
                MemoryEntityColumns = range.EntityColumns,
                MemoryOnePerBlockColumns = range.OnePerBlockColumns,
                MemoryStoreBlock = range.StoreBlock,
            };
            compacted += range.CompactedBytes;
            rows += range.Count;
            min = Math.Min(min, timestamps[0]);
            max = Math.Max(max, timestamps[^1]);
            if (b == 0 || ranges[b - 1].SeriesId != range.SeriesId)
            {
                seriesCount++;
            }
        }

        // A store's size counts each row as its own copy of its bytes (ColumnBuffer.UncompressedSize), as the blocks'
        // sizes did: the sum over the stores, with the rows the one-per-block columns do not hold, is the sum over the
        // blocks.
        long uncompressed = compacted;
        foreach (Block store in stores)
        {
            uncompressed += store.UncompressedSize;
        }

        var metadata = new PartMetadata
        {
            Kind = kind,
            RowCount = rows,
            BlockCount = ranges.Count,
            SeriesCount = seriesCount,
            MinTimestamp = rows == 0 ? 0 : min,
            MaxTimestamp = rows == 0 ? 0 : max,
            UncompressedBytes = uncompressed,
            CompressedBytes = 0,
            TagFamilies = [.. families],
        };
        var part = new MemoryPart(headers, metadata);
        foreach (BlockHeader header in headers)
        {
            header.Owner = part;
        }

        return part;
    }

    /// <summary>Writes the part to <paramref name="directory"/> (see <see cref="PartWriter"/>).</summary>
    public PartMetadata WriteTo(string directory, PartWriterOptions? options = null)
    {
        using var writer = new PartWriter(directory, Metadata.Kind, options);
        foreach (BlockHeader header in _headers)
        {
            Block block = writer.RentBlock();
            CopyRows(header, ColumnProjection.All, block);
            writer.WriteRentedBlock(block);
        }

        return writer.Complete();
    }

    /// <inheritdoc />
    public void FindBlocks(SeriesTimeFilter query, List<BlockHeader> result)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(result);
        IReadOnlyList<ulong>? wanted = query.SeriesIds;
        if (wanted is null)
        {
            foreach (BlockHeader header in _headers)
            {
                if (query.OverlapsTime(header.MinTimestamp, header.MaxTimestamp))
                {
                    result.Add(header);
                }
            }

            return;
        }

        foreach (ulong seriesId in wanted)
        {
            for (int b = LowerBound(seriesId); b < _headers.Length && _headers[b].SeriesId == seriesId; b++)
            {
                if (query.OverlapsTime(_headers[b].MinTimestamp, _headers[b].MaxTimestamp))
                {
                    result.Add(_headers[b]);
                }
            }
        }
    }

    /// <inheritdoc />
    public void ReadBlock(BlockHeader header, ColumnProjection projection, Block destination, DecodeScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(destination);
        if (!ReferenceEquals(header.Owner, this))
        {
            throw new ArgumentException("the block header belongs to another part (bug in the caller)", nameof(header));
        }

        CopyRows(header, projection, destination);
    }

    // The rows of `header`'s block, the columns `projection` selects, into `destination` (replacing its content).
    private static void CopyRows(BlockHeader header, ColumnProjection projection, Block destination)
    {
        Block rows = header.MemoryRows!;
        int first = header.MemoryFirstRow;
        int count = header.RowCount;
        destination.Reset(header.SeriesId);
        destination.AppendKeys(rows.Timestamps.Slice(first, count), rows.Versions.Slice(first, count));
        for (int c = 0; c < rows.Columns.Count; c++)
        {
            ColumnBuffer column = rows.Columns[c];
            bool wanted = column.Family is null ? projection.IncludesField(column.Name) : projection.IncludesTag(column.Family, column.Name);
            if (wanted)
            {
                ColumnBuffer copy = destination.AddColumnUnfilled(column.Family, column.Name, column.Type);
                if (InMask(header.MemoryOnePerBlockColumns, c))
                {
                    AppendBlockValue(column, header.MemoryStoreBlock, count, copy);
                }
                else
                {
                    copy.AppendRange(column, first, count);
                }

                copy.HoldsSeriesEntity = InMask(header.MemoryEntityColumns, c);
            }
        }
    }

    // A one-per-block column's value for the block (its row `storeBlock`), as `count` rows: the first copied, the rest
    // pointing at its bytes, as the seal's gather had them before.
    private static void AppendBlockValue(ColumnBuffer column, int storeBlock, int count, ColumnBuffer copy)
    {
        copy.AppendFrom(column, storeBlock);
        if (count == 1)
        {
            return;
        }

        if (copy.CanRepeatLastRow)
        {
            copy.AppendLastRowAgain(count - 1);
            return;
        }

        for (int i = 1; i < count; i++)
        {
            copy.AppendFrom(column, storeBlock); // null or empty: nothing to share
        }
    }

    /// <summary>
    /// Whether column <paramref name="column"/> is in a block's column mask (<see cref="BlockHeader.MemoryEntityColumns"/>,
    /// <see cref="BlockHeader.MemoryOnePerBlockColumns"/>): bit c for column c, none past the 64th.
    /// </summary>
    internal static bool InMask(ulong mask, int column) => column < 64 && ((mask >> column) & 1) != 0;

    private Block[] CopyBlocks()
    {
        var blocks = new Block[_headers.Length];
        for (int b = 0; b < blocks.Length; b++)
        {
            blocks[b] = new Block();
            CopyRows(_headers[b], ColumnProjection.All, blocks[b]);
        }

        return blocks;
    }

    // A store's tag families (in order of first appearance) and the positions of its field columns.
    private sealed record StoreLayout(Block Store, TagFamilyHeader[] Families, int[] FieldColumns);

    private static StoreLayout LayoutOf(Block store, List<StoreLayout> known)
    {
        foreach (StoreLayout layout in known)
        {
            if (ReferenceEquals(layout.Store, store))
            {
                return layout;
            }
        }

        var families = new List<TagFamilyHeader>();
        var fields = new List<int>();
        for (int c = 0; c < store.Columns.Count; c++)
        {
            ColumnBuffer column = store.Columns[c];
            if (column.Family is null)
            {
                fields.Add(c);
            }
            else if (!ContainsFamily(families, column.Family))
            {
                families.Add(new TagFamilyHeader(column.Family, 0, 0));
            }
        }

        var made = new StoreLayout(store, [.. families], [.. fields]);
        known.Add(made);
        return made;
    }

    /// <summary>Nothing to release; the blocks are garbage-collected with the part.</summary>
    public void Dispose()
    {
    }

    private int LowerBound(ulong seriesId)
    {
        int lo = 0, hi = _headers.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_headers[mid].SeriesId < seriesId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static bool ContainsFamily(List<TagFamilyHeader> families, string name)
    {
        foreach (TagFamilyHeader family in families)
        {
            if (family.Name == name)
            {
                return true;
            }
        }

        return false;
    }
}
