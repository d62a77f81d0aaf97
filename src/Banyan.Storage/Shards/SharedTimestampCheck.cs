using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;

namespace Banyan.Storage.Shards;

/// <summary>
/// Whether one series' blocks in two different parts share a timestamp inside a query's time range: only then can a
/// row of one part be a version of a row of the other, which the summaries must count once (the newest). The write
/// path keeps several batches in flight, so a series' later batch may land in an older part: the two parts' blocks
/// then overlap in time (<see cref="Shard"/>'s overlap check on headers), yet their timestamps almost never coincide,
/// and such a series can be summarized block by block like any other.
/// </summary>
/// <remarks>
/// The blocks are swept in (min timestamp, part) order, as <see cref="BlockMerge"/> gives them. A part's blocks of one
/// series never overlap each other, so at any point of the sweep each part has at most one block that a later block
/// can overlap: its latest. A block is compared with the latest block of each other part whose range (clipped to the
/// query's) meets its own, by a merge walk over both sorted timestamp lists from the start of their common range to
/// its end. So every pair of blocks of different parts that meets in the range is walked once, only blocks that meet
/// another part's block are read, and one block per part is held at a time. Rows of one part never need comparing:
/// a measure part holds each key of a series once (its versions were deduplicated when the part was built).
/// Timestamps come from the memory block itself for a memory part; for a disk part through the shard's
/// <see cref="DecodedBlockCache"/> when it has one (keys and the field, so that a block the summary then decodes is a
/// hit), else only the keys are decoded (the field of a block wholly inside the range is not needed).
/// One instance per summary call: it holds a buffer per part, made when that part's first block is read.
/// </remarks>
internal sealed class SharedTimestampCheck
{
    private readonly List<IPartReader> _parts;
    private readonly DecodedBlockCache? _cache;
    private readonly string _field;
    private readonly ColumnProjection _fieldOnly;
    private readonly long _minTimestamp;
    private readonly long _maxTimestamp;
    private readonly DecodeScratch _scratch;

    // Per part (index in _parts): the latest block of the series swept so far, its keys once read (null until then),
    // and a buffer to decode that part's blocks into when they do not come from the cache or a memory part.
    private readonly BlockHeader?[] _latest;
    private readonly ReadOnlyMemory<long>?[] _latestKeys;
    private readonly Block?[] _buffers;

    /// <summary>
    /// A check of series read from <paramref name="parts"/> for <paramref name="field"/> (<paramref name="fieldOnly"/>
    /// its projection) over [<paramref name="minTimestamp"/>, <paramref name="maxTimestamp"/>], decoding with
    /// <paramref name="scratch"/> (the caller's: the check and the caller's decodes take turns).
    /// </summary>
    public SharedTimestampCheck(List<IPartReader> parts, DecodedBlockCache? cache, string field, ColumnProjection fieldOnly, long minTimestamp, long maxTimestamp, DecodeScratch scratch)
    {
        _parts = parts;
        _cache = cache;
        _field = field;
        _fieldOnly = fieldOnly;
        _minTimestamp = minTimestamp;
        _maxTimestamp = maxTimestamp;
        _scratch = scratch;
        _latest = new BlockHeader?[parts.Count];
        _latestKeys = new ReadOnlyMemory<long>?[parts.Count];
        _buffers = new Block?[parts.Count];
    }

    /// <summary>
    /// Whether a timestamp inside the range occurs in blocks of two different parts among <paramref name="ofSeries"/>
    /// (one series' blocks, in (min timestamp, part) order).
    /// </summary>
    public bool Finds(List<(BlockHeader Header, int Part)> ofSeries)
    {
        Array.Clear(_latest);
        Array.Clear(_latestKeys);
        foreach ((BlockHeader header, int part) in ofSeries)
        {
            long from = Math.Max(header.MinTimestamp, _minTimestamp);
            long to = Math.Min(header.MaxTimestamp, _maxTimestamp);
            if (from > to)
            {
                continue; // no row in the range
            }

            ReadOnlyMemory<long>? keys = null;
            for (int other = 0; other < _latest.Length; other++)
            {
                // The other part's latest block starts no later than this one (sweep order); they meet where it ends
                // at or after this one's start.
                if (other == part || _latest[other] is not { } earlier || Math.Min(earlier.MaxTimestamp, _maxTimestamp) < from)
                {
                    continue;
                }

                keys ??= Keys(header, part);
                ReadOnlyMemory<long> earlierKeys = _latestKeys[other] ??= Keys(earlier, other);
                if (ShareTimestamp(earlierKeys.Span, keys.Value.Span, from, Math.Min(to, earlier.MaxTimestamp)))
                {
                    return true;
                }
            }

            _latest[part] = header;
            _latestKeys[part] = keys;
        }

        return false;
    }

    // Whether the sorted lists a and b hold a common timestamp in [from, to].
    private static bool ShareTimestamp(ReadOnlySpan<long> a, ReadOnlySpan<long> b, long from, long to)
    {
        int i = SortedTimestamps.LowerBound(a, from);
        int j = SortedTimestamps.LowerBound(b, from);
        while (i < a.Length && j < b.Length)
        {
            long x = a[i];
            long y = b[j];
            if (x > to || y > to)
            {
                return false;
            }

            if (x == y)
            {
                return true;
            }

            if (x < y)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return false;
    }

    // The block's timestamps: a memory part's in its row store, a disk part's from the cache (with the field) or decoded
    // into this part's buffer, valid until the next read of the same part.
    private ReadOnlyMemory<long> Keys(BlockHeader header, int part)
    {
        if (header.MemoryRows is { } rows)
        {
            return rows.TimestampsMemory.Slice(header.MemoryFirstRow, header.RowCount);
        }

        if (_cache is not null && _parts[part] is PartReader disk)
        {
            return _cache.ReadField(disk, header, _field, _fieldOnly, _scratch).TimestampsMemory;
        }

        Block buffer = _buffers[part] ??= new Block();
        _parts[part].ReadBlock(header, ColumnProjection.KeysOnly, buffer, _scratch);
        return buffer.TimestampsMemory;
    }
}
