using Banyan.Storage.Rows;

namespace Banyan.Storage.Parts;

/// <summary>
/// The one rule that cuts rows, given in (series, timestamp) order, into blocks; memory parts
/// (<see cref="MemoryPartBuilder"/>) and part writers (<see cref="PartWriter"/>) both follow it, so a
/// memory part's blocks are the blocks its flush writes (VictoriaMetrics fills in-memory parts with
/// the same block writer as disk parts).
/// </summary>
/// <remarks>
/// A block holds rows of one series. The open block is closed before the next row when that row is
/// of another series, when the block holds the kind's row limit
/// (<see cref="PartWriterOptions.MaxRowsPerBlock"/>), or when its uncompressed size (as
/// <see cref="Block.UncompressedSize"/> counts it: 16 bytes of keys per row, 8 per numeric value,
/// 4 + length per byte-string value) has reached <see cref="PartWriterOptions.MaxBlockBytes"/>: the
/// row that crosses the size limit stays in its block, so a block never holds zero rows.
/// Callers report what they appended with <see cref="Add"/>; rows of fixed width are taken in runs
/// with <see cref="Fit"/>.
/// </remarks>
public struct BlockCutter
{
    private readonly int _maxRows;
    private readonly long _maxBytes;
    private bool _open;
    private ulong _series;
    private int _rows;
    private long _bytes;

    /// <summary>A cutter for blocks of <paramref name="kind"/> rows under <paramref name="options"/>.</summary>
    public BlockCutter(DataKind kind, PartWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _maxRows = options.MaxRowsPerBlock(kind);
        _maxBytes = options.MaxBlockBytes;
    }

    /// <summary>Rows in the open block.</summary>
    public readonly int Rows => _rows;

    /// <summary>Uncompressed bytes of the open block, as reported through <see cref="Add"/>.</summary>
    public readonly long Bytes => _bytes;

    /// <summary>
    /// True when the next row, of <paramref name="seriesId"/>, must start a new block: no block is
    /// open, or the open one holds another series or has reached the row or the size limit.
    /// </summary>
    public readonly bool MustCut(ulong seriesId) => !_open || seriesId != _series || _rows >= _maxRows || _bytes >= _maxBytes;

    /// <summary>Opens a new, empty block of <paramref name="seriesId"/>.</summary>
    public void Start(ulong seriesId)
    {
        _open = true;
        _series = seriesId;
        _rows = 0;
        _bytes = 0;
    }

    /// <summary>
    /// How many of <paramref name="available"/> rows of <paramref name="rowBytes"/> bytes each the open
    /// block takes before a limit closes it: at most the rows left under the row limit, and the rows
    /// until the size limit is reached (the crossing row included); at least one.
    /// </summary>
    public readonly int Fit(int available, long rowBytes)
    {
        long room = Math.Max(1, (_maxBytes - _bytes + rowBytes - 1) / rowBytes);
        return (int)Math.Max(1, Math.Min(Math.Min(available, _maxRows - _rows), room));
    }

    /// <summary>Records <paramref name="rows"/> rows of <paramref name="bytes"/> uncompressed bytes appended to the open block.</summary>
    public void Add(int rows, long bytes)
    {
        _rows += rows;
        _bytes += bytes;
    }

    /// <summary>Closes the open block (it was written out); the next row starts a new one.</summary>
    public void Close() => _open = false;
}
