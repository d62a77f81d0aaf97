using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Query.Planning;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards;

/// <summary>
/// A cursor over the rows of one subject that match criteria, found through the indexes: the
/// inverted index names the candidate series (measures) or elements (streams) with the residual
/// filter it left, only those series are read, and what the index left open is decided on each row.
/// Rows come in (series, timestamp) order, measures deduplicated by version; the current row is
/// (<see cref="CurrentBlock"/>, <see cref="CurrentRow"/>) and its tags are <see cref="Tags"/>, valid
/// until the next <see cref="MoveNext"/>: no dictionary per row. Holds its view until disposed.
/// </summary>
/// <remarks>
/// Sees every write acknowledged before it was opened: writes still buffered (not yet sealed, so not
/// yet indexed) are read from the view's transient part and decided on their rows. Stream candidates
/// are joined with the rows by a merge over both in (series, timestamp) order, not through a table.
/// </remarks>
public sealed class IndexedScan : IDisposable
{
    private readonly ShardReadView _view;
    private readonly PartMergeIterator _iterator;
    private readonly int _transientFrom;
    private readonly bool _stream;
    private readonly Criteria? _criteria;
    private readonly ShardIndexConfig _config;
    private readonly IndexHit[] _hits; // streams: sorted by (series, timestamp, element id)
    private readonly BlockTagRow _row = new();
    private int _runStart;
    private int _runEnd;
    private bool _disposed;

    internal IndexedScan(ShardReadView view, List<IPartReader> parts, int transientFrom, ShardIndexConfig config, Criteria? criteria, SeriesTimeFilter filter, ColumnProjection projection, IndexHit[] hits)
    {
        _view = view;
        _transientFrom = transientFrom;
        _config = config;
        _stream = config.Kind == DataKind.Stream;
        _criteria = criteria;
        _hits = hits;
        _iterator = new PartMergeIterator(parts, config.Kind, filter, projection);
    }

    /// <summary>The subject searched.</summary>
    public string Subject => _config.Subject;

    /// <summary>Candidates the index returned (streams: elements; measures: series documents).</summary>
    public int CandidateCount => _hits.Length;

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

    /// <summary>The tags of the current row (tag name → value, across families), read from its block.</summary>
    public ITagRow Tags => _row;

    /// <summary>Advances to the next matching row; false at the end.</summary>
    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_iterator.MoveNext())
        {
            _row.Set(_iterator.CurrentBlock, _iterator.CurrentRow);
            if (Accepts())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every non-null tag of the current row by name (for callers that keep rows; allocates).</summary>
    public Dictionary<string, TagValue> TagsToDictionary() => _row.ToDictionary();

    /// <summary>Releases the view.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _view.Dispose();
        }
    }

    private bool Accepts()
    {
        // Measure documents describe a series (the tag values of its writes), and buffered rows were
        // never indexed: both are decided on the row.
        if (!_stream || _iterator.CurrentPart >= _transientFrom)
        {
            return Evaluate();
        }

        ulong series = _iterator.SeriesId;
        long timestamp = _iterator.Timestamp;
        long element = _iterator.Version;

        // The hits of this (series, timestamp): rows and hits both ascend, so the run only moves forward.
        if (_runStart >= _runEnd || Compare(_hits[_runStart], series, timestamp) != 0)
        {
            while (_runStart < _hits.Length && Compare(_hits[_runStart], series, timestamp) < 0)
            {
                _runStart++;
            }

            _runEnd = _runStart;
            while (_runEnd < _hits.Length && Compare(_hits[_runEnd], series, timestamp) == 0)
            {
                _runEnd++;
            }
        }

        int found = -1;
        for (int i = _runStart; i < _runEnd; i++)
        {
            if (_hits[i].ElementId == element)
            {
                if (found >= 0)
                {
                    // Elements sharing series, timestamp and element id are told apart by their values
                    // only, so for them the criteria are evaluated on the row itself.
                    return Evaluate();
                }

                found = i;
            }
        }

        return found >= 0 && _hits[found].Accepts(_row);
    }

    private bool Evaluate() => _criteria is null || CriteriaEvaluator.Matches(_criteria, _row, _config.Schema);

    private static int Compare(in IndexHit hit, ulong series, long timestamp)
    {
        int c = hit.SeriesId.CompareTo(series);
        return c != 0 ? c : hit.Timestamp.CompareTo(timestamp);
    }
}
