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
public sealed class MemoryPart : IPartReader
{
    private readonly Block[] _blocks;
    private readonly BlockHeader[] _headers;

    private MemoryPart(Block[] blocks, BlockHeader[] headers, PartMetadata metadata)
    {
        _blocks = blocks;
        _headers = headers;
        Metadata = metadata;
    }

    /// <inheritdoc />
    public PartMetadata Metadata { get; }

    /// <summary>The blocks, in (series, time) order.</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

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
    /// Makes a memory part of <paramref name="blockArray"/>: blocks already cut by the
    /// <see cref="BlockCutter"/>, in (series, timestamp) order, measures deduplicated;
    /// <paramref name="families"/> are the tag families the blocks use, in name order.
    /// </summary>
    internal static MemoryPart FromBlocks(DataKind kind, Block[] blockArray, IReadOnlyCollection<string> families)
    {
        var headers = new BlockHeader[blockArray.Length];
        long uncompressed = 0;
        long seriesCount = 0;
        long rows = 0;
        long min = long.MaxValue, max = long.MinValue;

        for (int b = 0; b < blockArray.Length; b++)
        {
            Block block = blockArray[b];
            Debug.Assert(b == 0 || blockArray[b - 1].SeriesId < block.SeriesId || (blockArray[b - 1].SeriesId == block.SeriesId && blockArray[b - 1].MaxTimestamp <= block.MinTimestamp),
                "blocks out of (series, timestamp) order (bug in the caller): FindBlocks promises that order");
            var fields = new List<ColumnHeader>();
            var familyHeaders = new List<TagFamilyHeader>();
            foreach (ColumnBuffer column in block.Columns)
            {
                if (column.Family is null)
                {
                    fields.Add(new ColumnHeader(column.Name, column.Type, 0, 0, 0, ColumnStatistics.Compute(column)));
                }
                else if (!ContainsFamily(familyHeaders, column.Family))
                {
                    familyHeaders.Add(new TagFamilyHeader(column.Family, 0, 0));
                }
            }

            headers[b] = new BlockHeader(block.SeriesId, block.Count, block.MinTimestamp, block.MaxTimestamp, 0, 0,
                IntegerEncodingKind.Const, IntegerEncodingKind.Const, [.. fields], [.. familyHeaders], block);
            uncompressed += block.UncompressedSize;
            rows += block.Count;
            min = Math.Min(min, block.MinTimestamp);
            max = Math.Max(max, block.MaxTimestamp);
            if (b == 0 || blockArray[b - 1].SeriesId != block.SeriesId)
            {
                seriesCount++;
            }
        }

        var metadata = new PartMetadata
        {
            Kind = kind,
            RowCount = rows,
            BlockCount = blockArray.Length,
            SeriesCount = seriesCount,
            MinTimestamp = rows == 0 ? 0 : min,
            MaxTimestamp = rows == 0 ? 0 : max,
            UncompressedBytes = uncompressed,
            CompressedBytes = 0,
            TagFamilies = [.. families],
        };
        var part = new MemoryPart(blockArray, headers, metadata);
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
        foreach (Block block in _blocks)
        {
            writer.WriteRetainedBlock(block); // immutable: may wait to be encoded with the next ones
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

        Block source = header.MemoryBlock!;
        destination.Reset(source.SeriesId);
        destination.AppendKeys(source.Timestamps, source.Versions);
        foreach (ColumnBuffer column in source.Columns)
        {
            bool wanted = column.Family is null ? projection.IncludesField(column.Name) : projection.IncludesTag(column.Family, column.Name);
            if (wanted)
            {
                ColumnBuffer copy = destination.AddColumnUnfilled(column.Family, column.Name, column.Type);
                copy.AppendRange(column, 0, column.Count);
                copy.HoldsSeriesEntity = column.HoldsSeriesEntity;
            }
        }
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
