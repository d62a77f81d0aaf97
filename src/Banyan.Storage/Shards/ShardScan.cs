using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Shards;

/// <summary>
/// A cursor over rows of one or more shard views in (series id, timestamp) order, restricted to a
/// series set and a time range and decoding only the projected columns; measures are deduplicated by
/// version (the highest wins; on equal versions the newer write). The current row is
/// (<see cref="CurrentBlock"/>, <see cref="CurrentRow"/>), valid until the next <see cref="MoveNext"/>:
/// nothing is allocated per row. Holds its views until disposed.
/// </summary>
/// <remarks>
/// <see cref="MoveNext"/> reads and decodes blocks as it goes (page-cache reads of the part files), so
/// a grain runs a scan off its turn. Blocks carry their own columns: a column missing from a block
/// (a tag added to the schema after the row was written) is absent from <see cref="CurrentBlock"/>,
/// i.e. null.
/// </remarks>
public sealed class ShardScan : IDisposable
{
    private readonly ShardReadView[] _views;
    private readonly PartMergeIterator _iterator;
    private readonly Action? _onDispose;
    private bool _disposed;

    internal ShardScan(ShardReadView[] views, IReadOnlyList<IPartReader> parts, DataKind kind, SeriesTimeFilter query, ColumnProjection projection, Action? onDispose)
    {
        _views = views;
        _onDispose = onDispose;

        // Shards hold disjoint series and segments disjoint time ranges, so one merge over all
        // their parts yields the global (series, timestamp) order with no false duplicates.
        _iterator = new PartMergeIterator(parts, kind, query, projection);
    }

    /// <summary>The block holding the current row.</summary>
    public Block CurrentBlock => _iterator.CurrentBlock;

    /// <summary>The current row's index in <see cref="CurrentBlock"/>.</summary>
    public int CurrentRow => _iterator.CurrentRow;

    /// <summary>Series of the current row.</summary>
    public ulong SeriesId => _iterator.SeriesId;

    /// <summary>Timestamp of the current row (nanoseconds since the Unix epoch).</summary>
    public long Timestamp => _iterator.Timestamp;

    /// <summary>Version (measures) or element id bits (streams) of the current row.</summary>
    public long Version => _iterator.Version;

    /// <summary>Index, in the scan's part list, of the part the current row comes from.</summary>
    internal int CurrentPart => _iterator.CurrentPart;

    /// <summary>Advances to the next row; false at the end.</summary>
    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _iterator.MoveNext();
    }

    /// <summary>Releases the views.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (ShardReadView view in _views)
        {
            view.Dispose();
        }

        _onDispose?.Invoke();
    }
}
