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

    /// <summary>Builds a memory part from <paramref name="batch"/> (which is not modified and may be reused after).</summary>
    /// <exception cref="InvalidOperationException">A column of the batch does not have one value per row.</exception>
    public static MemoryPart Build(WriteBatch batch, PartWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate();
        options ??= PartWriterOptions.Default;
        int maxRows = options.MaxRowsPerBlock(batch.Kind);
        ReadOnlySpan<ulong> series = batch.SeriesIds;
        ReadOnlySpan<long> timestamps = batch.Timestamps;
        ReadOnlySpan<long> versions = batch.Versions;
        int n = batch.Count;
        IReadOnlyList<ColumnBuffer> columns = batch.Columns;

        // Fast path: input already in order with no duplicate keys, so blocks are contiguous ranges.
        bool ordered = true;
        for (int i = 1; i < n && ordered; i++)
        {
            ordered = series[i] > series[i - 1] || (series[i] == series[i - 1] && timestamps[i] > timestamps[i - 1]);
        }

        int[]? order = null;
        if (!ordered)
        {
            order = new int[n];
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, new RowComparer(batch));
        }

        var blocks = new List<Block>();
        Block? current = null;
        long blockBytes = 0;
        int previous = -1;
        for (int k = 0; k < n; k++)
        {
            int row = order is null ? k : order[k];
            if (previous >= 0 && batch.Kind == DataKind.Measure && series[row] == series[previous] && timestamps[row] == timestamps[previous])
            {
                // Sorted by version descending: the first row of a (series, timestamp) run wins.
                continue;
            }

            if (current is null || current.SeriesId != series[row] || current.Count >= maxRows || blockBytes >= options.MaxBlockBytes)
            {
                current = NewBlock(series[row], columns);
                blocks.Add(current);
                blockBytes = 0;
            }

            if (order is null)
            {
                // Copy the whole run of this series at once (up to the block limits).
                int end = k + 1;
                while (end < n && series[end] == series[row] && end - k < maxRows - current.Count)
                {
                    end++;
                }

                int count = end - k;
                if (HasBytesColumns(columns))
                {
                    // Variable-size rows: check the size limit row by row.
                    count = 1;
                }
                else
                {
                    long rowSize = 16L + (8L * columns.Count);
                    long fit = Math.Max(1, (options.MaxBlockBytes - blockBytes + rowSize - 1) / rowSize);
                    count = (int)Math.Min(count, fit);
                }

                if (current.Count == 0)
                {
                    current.Reserve(count);
                }

                current.AppendKeys(timestamps.Slice(k, count), versions.Slice(k, count));
                for (int c = 0; c < columns.Count; c++)
                {
                    current.Columns[c].AppendRange(columns[c], k, count);
                }

                blockBytes += RowBytes(columns, k, count);
                previous = k + count - 1;
                k += count - 1;
                continue;
            }

            current.AppendKey(timestamps[row], versions[row]);
            for (int c = 0; c < columns.Count; c++)
            {
                current.Columns[c].AppendFrom(columns[c], row);
            }

            blockBytes += RowBytes(columns, row, 1);
            previous = row;
        }

        return FromBlocks(batch.Kind, [.. blocks], columns);
    }

    /// <summary>
    /// Makes a memory part of <paramref name="blockArray"/>: blocks already cut by the block rules,
    /// in (series, timestamp) order, measures deduplicated; <paramref name="columns"/> name the tag families.
    /// </summary>
    internal static MemoryPart FromBlocks(DataKind kind, Block[] blockArray, IReadOnlyList<ColumnBuffer> columns)
    {
        var headers = new BlockHeader[blockArray.Length];
        long uncompressed = 0;
        long seriesCount = 0;
        long rows = 0;
        long min = long.MaxValue, max = long.MinValue;
        var families = new SortedSet<string>(StringComparer.Ordinal);
        foreach (ColumnBuffer column in columns)
        {
            if (column.Family is not null)
            {
                families.Add(column.Family);
            }
        }

        for (int b = 0; b < blockArray.Length; b++)
        {
            Block block = blockArray[b];
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
            writer.WriteBlock(block);
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
                destination.AddColumnUnfilled(column.Family, column.Name, column.Type).AppendRange(column, 0, column.Count);
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

    private static Block NewBlock(ulong seriesId, IReadOnlyList<ColumnBuffer> columns)
    {
        var block = new Block();
        block.Reset(seriesId);
        foreach (ColumnBuffer column in columns)
        {
            block.AddColumn(column.Family, column.Name, column.Type);
        }

        return block;
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

    private static bool HasBytesColumns(IReadOnlyList<ColumnBuffer> columns)
    {
        foreach (ColumnBuffer column in columns)
        {
            if (ColumnValueTypes.IsBytes(column.Type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Uncompressed size of rows, as <see cref="Block.UncompressedSize"/> counts it.</summary>
    private static long RowBytes(IReadOnlyList<ColumnBuffer> columns, int start, int count)
    {
        long size = 16L * count;
        foreach (ColumnBuffer column in columns)
        {
            if (ColumnValueTypes.IsBytes(column.Type))
            {
                for (int i = start; i < start + count; i++)
                {
                    size += 4 + Math.Max(0, column.GetBytes(i).Length);
                }
            }
            else
            {
                size += 8L * count;
            }
        }

        return size;
    }

    /// <summary>Orders row indexes by series, timestamp, then version descending and latest first (measures) or arrival (streams).</summary>
    private sealed class RowComparer(WriteBatch batch) : IComparer<int>
    {
        private readonly ulong[] _series = batch.SeriesIds.ToArray();
        private readonly long[] _timestamps = batch.Timestamps.ToArray();
        private readonly long[] _versions = batch.Versions.ToArray();
        private readonly bool _measure = batch.Kind == DataKind.Measure;

        public int Compare(int x, int y)
        {
            int c = _series[x].CompareTo(_series[y]);
            if (c != 0)
            {
                return c;
            }

            c = _timestamps[x].CompareTo(_timestamps[y]);
            if (c != 0)
            {
                return c;
            }

            if (_measure)
            {
                c = _versions[y].CompareTo(_versions[x]);
                if (c != 0)
                {
                    return c;
                }

                // Equal versions: the row written later wins, as a later part wins in a merge.
                return y.CompareTo(x);
            }

            return x.CompareTo(y);
        }
    }
}
