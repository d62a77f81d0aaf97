using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Shards;

/// <summary>
/// Rows of one or more read views in (series id, timestamp) order, restricted to a query's series and
/// time range and projected to the requested columns; measures are deduplicated by version. The
/// current row is (<see cref="CurrentBlock"/>, <see cref="CurrentRow"/>), valid until the next
/// <see cref="MoveNext"/>. Holds its views until disposed.
/// </summary>
public sealed class ShardScan : IDisposable
{
    private readonly ShardReadView[] _views;
    private readonly PartMergeIterator _iterator;
    private readonly Action? _onDispose;
    private bool _disposed;

    internal ShardScan(ShardReadView view, DataKind kind, SeriesTimeFilter query, ColumnProjection projection)
        : this([view], kind, query, projection, null)
    {
    }

    internal ShardScan(ShardReadView[] views, DataKind kind, SeriesTimeFilter query, ColumnProjection projection, Action? onDispose)
    {
        _views = views;
        _onDispose = onDispose;
        List<IPartReader> parts = [];
        foreach (ShardReadView view in views)
        {
            parts.AddRange(view.Parts);
        }

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
