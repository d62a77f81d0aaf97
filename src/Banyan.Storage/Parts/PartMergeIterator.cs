using Banyan.Storage.Encodings;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Parts;

/// <summary>
/// Merges the rows of several parts (disk and memory) in (series id, timestamp) order, restricted to
/// a query's series and time range. Measures: of rows with equal (series, timestamp) only the one with
/// the highest version is returned (on equal versions, the part listed last wins: list parts oldest
/// first). Streams: every row is returned; ties keep part order, then row order.
/// </summary>
/// <remarks>
/// No allocation per row: the current row is exposed as (<see cref="CurrentBlock"/>, <see cref="CurrentRow"/>),
/// valid until the next <see cref="MoveNext"/>. Each part keeps one decoded block at a time.
/// </remarks>
public sealed class PartMergeIterator
{
    private readonly Cursor[] _cursors;
    private readonly DataKind _kind;
    private readonly ColumnProjection _projection;
    private readonly SeriesTimeFilter _query;
    private readonly DecodeScratch _scratch = new();
    private Cursor? _current;
    private int _runLength = 1;
    private bool _started;

    /// <summary>Creates the iterator; nothing is read until <see cref="MoveNext"/>.</summary>
    /// <param name="parts">Parts to merge, oldest first.</param>
    /// <param name="kind">Measure (deduplicate by version) or stream (keep all).</param>
    /// <param name="query">Series and time range.</param>
    /// <param name="projection">Columns to decode.</param>
    public PartMergeIterator(IReadOnlyList<IPartReader> parts, DataKind kind, SeriesTimeFilter query, ColumnProjection projection)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(projection);
        _kind = kind;
        _query = query;
        _projection = projection;
        _cursors = new Cursor[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            _cursors[i] = new Cursor(parts[i], i);
        }
    }

    /// <summary>The block holding the current row.</summary>
    public Block CurrentBlock => _current?.Block ?? throw new InvalidOperationException("MoveNext has not returned true");

    /// <summary>Index of the current row in <see cref="CurrentBlock"/>.</summary>
    public int CurrentRow => _current?.Row ?? throw new InvalidOperationException("MoveNext has not returned true");

    /// <summary>
    /// Rows of <see cref="CurrentBlock"/> from <see cref="CurrentRow"/> on that are returned together:
    /// 1 after <see cref="MoveNext"/>, possibly more after <see cref="MoveNextRun"/>.
    /// </summary>
    public int CurrentRunLength => _current is null ? throw new InvalidOperationException("MoveNext has not returned true") : _runLength;

    /// <summary>Index (in the list given) of the part the current row comes from.</summary>
    public int CurrentPart => _current?.PartIndex ?? throw new InvalidOperationException("MoveNext has not returned true");

    /// <summary>Series of the current row.</summary>
    public ulong SeriesId => CurrentBlock.SeriesId;

    /// <summary>Timestamp of the current row.</summary>
    public long Timestamp => CurrentBlock.Timestamps[CurrentRow];

    /// <summary>Version (measures) or element id bits (streams) of the current row.</summary>
    public long Version => CurrentBlock.Versions[CurrentRow];

    /// <summary>Advances to the next row; false at the end.</summary>
    public bool MoveNext()
    {
        if (!Advance())
        {
            return false;
        }

        _runLength = 1;
        return true;
    }

    /// <summary>
    /// Advances to the next run: the longest stretch of rows of the current block, from
    /// <see cref="CurrentRow"/>, whose keys all come before every other part's next key, so they
    /// are returned in one go (<see cref="CurrentRunLength"/> rows, no duplicates among them to
    /// drop). Merges of parts holding different time ranges of the same series move whole blocks
    /// this way instead of comparing every row. False at the end.
    /// </summary>
    public bool MoveNextRun()
    {
        if (!Advance())
        {
            return false;
        }

        Cursor current = _current!;
        ulong series = current.Block.SeriesId;

        // The smallest key among the other parts bounds the run (exclusive).
        bool bounded = false;
        long boundTime = long.MaxValue;
        foreach (Cursor cursor in _cursors)
        {
            if (cursor != current && cursor.HasRow && cursor.Block.SeriesId == series)
            {
                bounded = true;
                boundTime = Math.Min(boundTime, cursor.Timestamp);
            }
        }

        int end = current.End;
        if (bounded)
        {
            ReadOnlySpan<long> timestamps = current.Block.Timestamps;
            int row = current.Row + 1;
            while (row < end && timestamps[row] < boundTime)
            {
                row++;
            }

            end = row;
        }

        _runLength = Math.Max(1, end - current.Row);
        return true;
    }

    private bool Advance()
    {
        if (!_started)
        {
            _started = true;
            foreach (Cursor cursor in _cursors)
            {
                cursor.Start(_query);
                cursor.Advance(this, first: true);
            }
        }
        else if (_current is not null)
        {
            // The run's rows are all returned: continue after its last one, whose key is dropped
            // from the other parts (measures) like a single row's.
            _current.Skip(_runLength - 1);
            ulong series = _current.Block.SeriesId;
            long timestamp = _current.Timestamp;
            _current.Advance(this, first: false);
            if (_kind == DataKind.Measure)
            {
                // Drop every other version of the key just returned.
                foreach (Cursor cursor in _cursors)
                {
                    while (cursor.HasRow && cursor.Block.SeriesId == series && cursor.Timestamp == timestamp)
                    {
                        cursor.Advance(this, first: false);
                    }
                }
            }
        }

        Cursor? best = null;
        foreach (Cursor cursor in _cursors)
        {
            if (cursor.HasRow && (best is null || Precedes(cursor, best)))
            {
                best = cursor;
            }
        }

        _current = best;
        return best is not null;
    }

    private bool Precedes(Cursor a, Cursor b)
    {
        ulong sa = a.Block.SeriesId, sb = b.Block.SeriesId;
        if (sa != sb)
        {
            return sa < sb;
        }

        long ta = a.Timestamp, tb = b.Timestamp;
        if (ta != tb)
        {
            return ta < tb;
        }

        if (_kind == DataKind.Measure)
        {
            long va = a.Version, vb = b.Version;
            if (va != vb)
            {
                return va > vb;
            }

            return a.PartIndex > b.PartIndex;
        }

        return a.PartIndex < b.PartIndex;
    }

    /// <summary>One part's position: its matching block headers, the decoded block and the row in it.</summary>
    private sealed class Cursor(IPartReader part, int partIndex)
    {
        private readonly List<BlockHeader> _headers = [];
        private int _nextHeader;
        private int _end;

        public int PartIndex { get; } = partIndex;

        public Block Block { get; } = new();

        public int Row { get; private set; } = -1;

        public bool HasRow => Row >= 0 && Row < _end;

        public long Timestamp => Block.Timestamps[Row];

        /// <summary>End (exclusive) of the rows of the loaded block inside the time range.</summary>
        public int End => _end;

        /// <summary>Moves forward <paramref name="rows"/> rows inside the loaded block.</summary>
        public void Skip(int rows) => Row += rows;

        public long Version => Block.Versions[Row];

        public void Start(SeriesTimeFilter query)
        {
            _headers.Clear();
            part.FindBlocks(query, _headers);
            _nextHeader = 0;
            Row = -1;
            _end = 0;
        }

        public void Advance(PartMergeIterator owner, bool first)
        {
            if (!first)
            {
                Row++;
                if (Row < _end)
                {
                    return;
                }
            }

            // Load the next block with rows inside the time range.
            while (_nextHeader < _headers.Count)
            {
                BlockHeader header = _headers[_nextHeader++];
                part.ReadBlock(header, owner._projection, Block, owner._scratch);
                ReadOnlySpan<long> timestamps = Block.Timestamps;
                (int start, int end) = SortedTimestamps.Within(header, timestamps, owner._query.MinTimestamp, owner._query.MaxTimestamp);
                if (start < end)
                {
                    Row = start;
                    _end = end;
                    return;
                }
            }

            Row = -1;
            _end = 0;
        }
    }
}
