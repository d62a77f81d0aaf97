using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// Rows of one series, sorted by timestamp (measures: then version descending), held columnar.
/// The unit a part stores, a reader decodes into and a writer encodes from. Reusable: <see cref="Reset"/>
/// keeps every buffer (column objects included), so decoding block after block allocates nothing.
/// </summary>
public sealed class Block
{
    private long[] _timestamps = new long[16];
    private long[] _versions = new long[16];
    private readonly List<ColumnBuffer> _columns = [];
    private readonly List<ColumnBuffer> _spareColumns = [];

    // Row-append mapping cache: which of our columns each source column goes to.
    private Block? _mappedSource;
    private int _mappedSourceLayout = -1;
    private int _mappedOwnLayout = -1;
    private int[] _sourceToOwn = [];
    private bool[] _ownCovered = [];

    /// <summary>Series id of every row.</summary>
    public ulong SeriesId { get; private set; }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Changes whenever the set of columns changes (used to cache column mappings).</summary>
    public int Layout { get; private set; }

    /// <summary>Timestamps (nanoseconds), ascending.</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps.AsSpan(0, Count);

    // The timestamps as memory, for a caller that keeps them beside others (valid while the block is not appended to).
    internal ReadOnlyMemory<long> TimestampsMemory => _timestamps.AsMemory(0, Count);

    /// <summary>Measures: versions. Streams: element id bits.</summary>
    public ReadOnlySpan<long> Versions => _versions.AsSpan(0, Count);

    /// <summary>Field and tag columns (fields have a null family).</summary>
    public IReadOnlyList<ColumnBuffer> Columns => _columns;

    /// <summary>Smallest timestamp (the first row's); undefined for an empty block.</summary>
    public long MinTimestamp => _timestamps[0];

    /// <summary>Largest timestamp (the last row's); undefined for an empty block.</summary>
    public long MaxTimestamp => _timestamps[Count - 1];

    /// <summary>Rough size of the rows before encoding (keys plus <see cref="ColumnBuffer.UncompressedSize"/>).</summary>
    public long UncompressedSize
    {
        get
        {
            long size = 16L * Count;
            foreach (ColumnBuffer column in _columns)
            {
                size += column.UncompressedSize;
            }

            return size;
        }
    }

    /// <summary>Removes all rows and columns (keeping their buffers for reuse) and sets the series.</summary>
    public void Reset(ulong seriesId)
    {
        SeriesId = seriesId;
        Count = 0;
        _spareColumns.AddRange(_columns);
        _columns.Clear();
        Layout++;
    }

    /// <summary>Returns the column <paramref name="family"/>.<paramref name="name"/>, or null.</summary>
    public ColumnBuffer? FindColumn(string? family, string name)
    {
        foreach (ColumnBuffer column in _columns)
        {
            if (column.Name == name && column.Family == family)
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>Adds an empty column (filled with nulls up to <see cref="Count"/>) and returns it.</summary>
    public ColumnBuffer AddColumn(string? family, string name, ColumnValueType type)
    {
        ColumnBuffer column = AddColumnUnfilled(family, name, type);
        for (int i = 0; i < Count; i++)
        {
            column.AppendNull();
        }

        return column;
    }

    /// <summary>Adds an empty column without null-filling it; the caller fills exactly <see cref="Count"/> rows.</summary>
    internal ColumnBuffer AddColumnUnfilled(string? family, string name, ColumnValueType type)
    {
        ColumnBuffer column;
        if (_spareColumns.Count > 0)
        {
            // Prefer a spare of the same type, so its typed arrays are already grown.
            int pick = _spareColumns.Count - 1;
            for (int i = _spareColumns.Count - 1; i >= 0; i--)
            {
                if (_spareColumns[i].Type == type)
                {
                    pick = i;
                    break;
                }
            }

            column = _spareColumns[pick];
            _spareColumns.RemoveAt(pick);
            column.Reset(family, name, type);
        }
        else
        {
            column = new ColumnBuffer(family, name, type);
        }

        _columns.Add(column);
        Layout++;
        return column;
    }

    /// <summary>Makes room for <paramref name="rows"/> rows in the keys and every column, so appends do not regrow.</summary>
    public void Reserve(int rows)
    {
        EnsureRows(rows);
        foreach (ColumnBuffer column in _columns)
        {
            column.Reserve(rows);
        }
    }

    /// <summary>Makes room for <paramref name="rows"/> rows in the keys only (the caller reserves the columns it fills by rows).</summary>
    internal void ReserveKeys(int rows) => EnsureRows(rows);

    /// <summary>Appends the key of a row; the caller then appends one value to every column.</summary>
    public void AppendKey(long timestamp, long version)
    {
        EnsureRows(Count + 1);
        _timestamps[Count] = timestamp;
        _versions[Count] = version;
        Count++;
    }

    /// <summary>Appends the keys of many rows; the caller then appends the values to every column.</summary>
    public void AppendKeys(ReadOnlySpan<long> timestamps, ReadOnlySpan<long> versions)
    {
        EnsureRows(Count + timestamps.Length);
        timestamps.CopyTo(_timestamps.AsSpan(Count));
        versions.CopyTo(_versions.AsSpan(Count));
        Count += timestamps.Length;
    }

    // Appends `count` rows' keys for the caller to write (a memory part's row store, filled block by block); the
    // columns are appended to separately and must end with as many rows.
    internal void AppendKeysUnfilled(int count, out Span<long> timestamps, out Span<long> versions)
    {
        EnsureRows(Count + count);
        timestamps = _timestamps.AsSpan(Count, count);
        versions = _versions.AsSpan(Count, count);
        Count += count;
    }

    /// <summary>Sets the number of rows and returns writable key spans of that length (for decoders).</summary>
    internal void PrepareKeys(int count, out Span<long> timestamps, out Span<long> versions)
    {
        EnsureRows(count);
        Count = count;
        timestamps = _timestamps.AsSpan(0, count);
        versions = _versions.AsSpan(0, count);
    }

    /// <summary>
    /// Appends row <paramref name="row"/> of <paramref name="source"/>, matching columns by family and
    /// name: a column only in the source is added here (earlier rows null), a column only here gets null.
    /// </summary>
    /// <exception cref="InvalidOperationException">A column has different types in the two blocks.</exception>
    public void AppendRow(Block source, int row)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureMapped(source);
        bool first = Count == 0;
        AppendKey(source._timestamps[row], source._versions[row]);
        for (int i = 0; i < source._columns.Count; i++)
        {
            ColumnBuffer own = _columns[_sourceToOwn[i]];
            own.AppendFrom(source._columns[i], row);
            KeepSeriesEntity(own, source._columns[i], first);
        }

        AppendNullsToUncovered(1);
    }

    /// <summary>
    /// Appends rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> of
    /// <paramref name="source"/>, with the column matching of <see cref="AppendRow"/>, a range at a time.
    /// </summary>
    /// <exception cref="InvalidOperationException">A column has different types in the two blocks.</exception>
    public void AppendRows(Block source, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureMapped(source);
        bool first = Count == 0;
        AppendKeys(source._timestamps.AsSpan(start, count), source._versions.AsSpan(start, count));
        for (int i = 0; i < source._columns.Count; i++)
        {
            ColumnBuffer own = _columns[_sourceToOwn[i]];
            own.AppendRange(source._columns[i], start, count);
            KeepSeriesEntity(own, source._columns[i], first);
        }

        AppendNullsToUncovered(count);
    }

    // A column holds its series' entity only while every row appended to it came from a column that did (the block is
    // of one series, so those rows all hold the same value); rows from anywhere else keep their bytes in the part.
    private static void KeepSeriesEntity(ColumnBuffer own, ColumnBuffer source, bool first) =>
        own.HoldsSeriesEntity = source.HoldsSeriesEntity && (first || own.HoldsSeriesEntity);

    private void EnsureMapped(Block source)
    {
        if (!ReferenceEquals(source, _mappedSource) || source.Layout != _mappedSourceLayout || Layout != _mappedOwnLayout)
        {
            MapColumns(source);
        }
    }

    // Columns here that the mapped source lacks get nulls for the rows just appended.
    private void AppendNullsToUncovered(int rows)
    {
        if (_columns.Count == _mappedSource!._columns.Count)
        {
            return;
        }

        for (int j = 0; j < _columns.Count; j++)
        {
            if (!_ownCovered[j])
            {
                _columns[j].HoldsSeriesEntity = false;
                for (int k = 0; k < rows; k++)
                {
                    _columns[j].AppendNull();
                }
            }
        }
    }

    private void MapColumns(Block source)
    {
        if (_sourceToOwn.Length < source._columns.Count)
        {
            _sourceToOwn = new int[source._columns.Count];
        }

        for (int i = 0; i < source._columns.Count; i++)
        {
            ColumnBuffer sourceColumn = source._columns[i];
            int own = -1;
            for (int j = 0; j < _columns.Count; j++)
            {
                if (_columns[j].Name == sourceColumn.Name && _columns[j].Family == sourceColumn.Family)
                {
                    own = j;
                    break;
                }
            }

            if (own < 0)
            {
                AddColumn(sourceColumn.Family, sourceColumn.Name, sourceColumn.Type);
                own = _columns.Count - 1;
            }
            else if (_columns[own].Type != sourceColumn.Type)
            {
                throw new InvalidOperationException(
                    $"column '{sourceColumn.Family}.{sourceColumn.Name}' is {_columns[own].Type} in one part and {sourceColumn.Type} in another");
            }

            _sourceToOwn[i] = own;
        }

        if (_ownCovered.Length < _columns.Count)
        {
            _ownCovered = new bool[Math.Max(_columns.Count, 8)];
        }

        Array.Clear(_ownCovered);
        for (int i = 0; i < source._columns.Count; i++)
        {
            _ownCovered[_sourceToOwn[i]] = true;
        }

        _mappedSource = source;
        _mappedSourceLayout = source.Layout;
        _mappedOwnLayout = Layout;
    }

    private void EnsureRows(int rows)
    {
        if (_timestamps.Length < rows)
        {
            int size = Math.Max(rows, _timestamps.Length * 2);
            Array.Resize(ref _timestamps, size);
            Array.Resize(ref _versions, size);
        }
    }
}
