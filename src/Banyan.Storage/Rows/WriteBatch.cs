using Banyan.Storage.Columns;
using Banyan.Storage.Values;
namespace Banyan.Storage.Rows;

/// <summary>
/// A batch of rows to write, held columnar: series ids, timestamps and versions (measures) or
/// element ids (streams) in arrays, and one <see cref="ColumnBuffer"/> per field or tag. Rows may be
/// in any order; the memory part sorts them.
/// </summary>
/// <remarks>
/// Two ways to fill it:
/// <list type="bullet">
/// <item>Columnar, for bulk ingest (in the manner of IoTDB's <c>write(long[] timestamps, double[] values, int count)</c>):
/// <c>AppendKeys</c> with spans, then <see cref="ColumnBuffer.AppendDoubles"/> /
/// <see cref="ColumnBuffer.AppendInt64s"/> etc. on <see cref="Columns"/>. No object per row.</item>
/// <item>Row at a time: <see cref="AddRow(ulong, long, long, ReadOnlySpan{ColumnValue})"/>.</item>
/// </list>
/// <see cref="Validate"/> checks every column has one value per row.
/// </remarks>
public sealed class WriteBatch
{
    // Empty until the first row or Reserve: a writer that knows its size reserves it at once, and a batch that ends up
    // with no rows (a query's answer of a shard with nothing in range) allocates no keys.
    private ulong[] _seriesIds = [];
    private long[] _timestamps = [];
    private long[] _versions = [];
    private readonly List<ColumnBuffer> _columns = [];

    /// <summary>Longest subject name accepted, in UTF-8 bytes.</summary>
    public const int MaxSubjectBytes = 1024;

    /// <summary>Creates an empty batch of the unnamed subject (<see cref="Subject"/> is empty) for a measure or a stream.</summary>
    public WriteBatch(DataKind kind)
        : this(kind, string.Empty)
    {
    }

    /// <summary>Creates an empty batch of rows of <paramref name="subject"/> (a measure or stream name) for a measure or a stream.</summary>
    /// <param name="kind">Measure or stream.</param>
    /// <param name="subject">The measure or stream the rows belong to; empty for the unnamed subject of a shard that holds one.</param>
    public WriteBatch(DataKind kind, string subject)
    {
        if (kind is not DataKind.Measure and not DataKind.Stream)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown part kind");
        }

        ArgumentNullException.ThrowIfNull(subject);
        if (System.Text.Encoding.UTF8.GetByteCount(subject) > MaxSubjectBytes)
        {
            throw new ArgumentException($"subject '{subject[..Math.Min(subject.Length, 64)]}…' is longer than {MaxSubjectBytes} UTF-8 bytes", nameof(subject));
        }

        Kind = kind;
        Subject = subject;
    }

    /// <summary>Measure or stream.</summary>
    public DataKind Kind { get; }

    /// <summary>
    /// The measure or stream the rows belong to (a shard holds every subject of its group); empty for
    /// the unnamed subject (batches written before subjects existed, and shards without indexes).
    /// </summary>
    public string Subject { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Series id of each row.</summary>
    public ReadOnlySpan<ulong> SeriesIds => _seriesIds.AsSpan(0, Count);

    /// <summary>Timestamp of each row, nanoseconds since the Unix epoch.</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps.AsSpan(0, Count);

    /// <summary>Measures: the version of each row. Streams: the element id of each row (its u64 bits as i64).</summary>
    public ReadOnlySpan<long> Versions => _versions.AsSpan(0, Count);

    /// <summary>The field and tag columns, in the order they were added.</summary>
    public IReadOnlyList<ColumnBuffer> Columns => _columns;

    /// <summary>
    /// Declares a column and returns its index. Rows already in the batch get null in it.
    /// </summary>
    /// <param name="family">Tag family, or null for a measure field (streams have no fields).</param>
    /// <param name="name">Column name.</param>
    /// <param name="type">Value type.</param>
    public int AddColumn(string? family, string name, ColumnValueType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (family is null && Kind == DataKind.Stream)
        {
            throw new ArgumentException($"column '{name}': streams have no fields; give a tag family", nameof(family));
        }

        if (family is not null)
        {
            TagFamilyName.Validate(family);
        }

        if (FindColumn(family, name) >= 0)
        {
            throw new ArgumentException($"column '{family}.{name}' is declared twice", nameof(name));
        }

        var column = new ColumnBuffer(family, name, type);
        for (int i = 0; i < Count; i++)
        {
            column.AppendNull();
        }

        _columns.Add(column);
        return _columns.Count - 1;
    }

    /// <summary>Index of the column <paramref name="family"/>.<paramref name="name"/>, or -1.</summary>
    public int FindColumn(string? family, string name)
    {
        for (int i = 0; i < _columns.Count; i++)
        {
            if (_columns[i].Name == name && _columns[i].Family == family)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Adds one row. <paramref name="values"/> holds one value per column, in column order.
    /// </summary>
    /// <param name="seriesId">Series id.</param>
    /// <param name="timestamp">Nanoseconds since the Unix epoch (see <see cref="Rows.Timestamps.FromUnixMilliseconds"/>).</param>
    /// <param name="versionOrElementId">Measures: version. Streams: element id bits.</param>
    /// <param name="values">One value (or null) per column.</param>
    public void AddRow(ulong seriesId, long timestamp, long versionOrElementId, ReadOnlySpan<ColumnValue> values)
    {
        if (values.Length != _columns.Count)
        {
            throw new ArgumentException($"row has {values.Length} values, the batch has {_columns.Count} columns", nameof(values));
        }

        // Validate every value first, so a bad value leaves the batch unchanged.
        for (int i = 0; i < values.Length; i++)
        {
            ColumnValue value = values[i];
            ColumnBuffer column = _columns[i];
            if (!value.IsNull && value.Type != column.Type && !(ColumnValueTypes.IsInteger(value.Type) && ColumnValueTypes.IsInteger(column.Type)))
            {
                throw new ArgumentException($"column '{column.Family}.{column.Name}' has type {column.Type}, the value has type {value.Type}", nameof(values));
            }
        }

        AppendKey(seriesId, timestamp, versionOrElementId);
        for (int i = 0; i < values.Length; i++)
        {
            _columns[i].Append(values[i]);
        }
    }

    /// <summary>
    /// Makes room for <paramref name="rows"/> rows in the keys and in every column added so far, so appends up to that
    /// count do not regrow them (a writer that knows its batch's size allocates once instead of doubling from 16).
    /// </summary>
    public void Reserve(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        EnsureCapacity(rows);
        foreach (ColumnBuffer column in _columns)
        {
            column.Reserve(rows);
        }
    }

    /// <summary>
    /// Appends the keys of many rows at once; then append the same number of values to every column.
    /// </summary>
    public void AppendKeys(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, ReadOnlySpan<long> versionsOrElementIds)
    {
        if (seriesIds.Length != timestamps.Length || seriesIds.Length != versionsOrElementIds.Length)
        {
            throw new ArgumentException($"key arrays differ in length: {seriesIds.Length} series ids, {timestamps.Length} timestamps, {versionsOrElementIds.Length} versions");
        }

        EnsureCapacity(Count + seriesIds.Length);
        seriesIds.CopyTo(_seriesIds.AsSpan(Count));
        timestamps.CopyTo(_timestamps.AsSpan(Count));
        versionsOrElementIds.CopyTo(_versions.AsSpan(Count));
        Count += seriesIds.Length;
    }

    /// <summary>Appends the keys of rows that all share one series and one version (a series' samples).</summary>
    public void AppendKeys(ulong seriesId, ReadOnlySpan<long> timestamps, long versionOrElementId)
    {
        EnsureCapacity(Count + timestamps.Length);
        _seriesIds.AsSpan(Count, timestamps.Length).Fill(seriesId);
        timestamps.CopyTo(_timestamps.AsSpan(Count));
        _versions.AsSpan(Count, timestamps.Length).Fill(versionOrElementId);
        Count += timestamps.Length;
    }

    /// <summary>
    /// A new batch with the rows of <paramref name="batches"/> one after the other (same kind and subject; every column of
    /// any of them, nulls where a batch lacks one), allocated once at its exact size: rows and byte-string bytes are
    /// reserved before the first append, since a heap grown on the way took two to three times its size in discarded
    /// arrays (the grain layer's joined shard writes, docs/benchmarks.md, "Joined batches sized exactly").
    /// </summary>
    /// <exception cref="ArgumentException">No batch, different kinds or subjects, or a column with different types.</exception>
    public static WriteBatch Concatenate(IReadOnlyList<WriteBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0)
        {
            throw new ArgumentException("no batch to concatenate", nameof(batches));
        }

        WriteBatch first = batches[0];
        WriteBatch joined = new(first.Kind, first.Subject);
        int rows = 0;
        foreach (WriteBatch batch in batches)
        {
            rows += batch.Count;
            foreach (ColumnBuffer column in batch._columns)
            {
                if (joined.FindColumn(column.Family, column.Name) < 0)
                {
                    joined.AddColumn(column.Family, column.Name, column.Type);
                }
            }
        }

        joined.Reserve(rows);
        foreach (ColumnBuffer column in joined._columns)
        {
            // Columns whose rows all point into one borrowed array (ColumnBuffer.AppendSharedBytes) are joined by
            // pointing into it too: nothing to reserve. Any other column is copied into a heap of its exact size.
            long bytes = 0;
            byte[]? borrowed = null;
            bool allBorrowed = true;
            foreach (WriteBatch batch in batches)
            {
                int index = batch.FindColumn(column.Family, column.Name);
                if (index < 0)
                {
                    continue;
                }

                ColumnBuffer source = batch._columns[index];
                bytes += source.HeapLength;
                allBorrowed &= source.BorrowedHeap is { } heap && (borrowed is null || ReferenceEquals(heap, borrowed));
                borrowed ??= source.BorrowedHeap;
            }

            if (!allBorrowed)
            {
                column.ReserveBytes((int)Math.Min(bytes, Array.MaxLength));
            }
        }

        foreach (WriteBatch batch in batches)
        {
            joined.AppendBatch(batch);
        }

        return joined;
    }

    /// <summary>
    /// Appends every row of <paramref name="other"/> (same kind). Columns are matched by family and
    /// name; a column missing on either side gets nulls. For a shard that gathers many logged
    /// batches into one memory part.
    /// </summary>
    /// <exception cref="ArgumentException">Different kinds, or a column with different types.</exception>
    public void AppendBatch(WriteBatch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!TryAppendBatch(other))
        {
            ColumnBuffer column = other._columns[FindConflictingColumn(other)];
            ColumnBuffer mine = _columns[FindColumn(column.Family, column.Name)];
            throw new ArgumentException($"column '{column.Family}.{column.Name}' is {mine.Type} here and {column.Type} in the appended batch", nameof(other));
        }
    }

    /// <summary>
    /// Appends every row of <paramref name="other"/>, as <see cref="AppendBatch"/> does, but returns
    /// false (and leaves this batch unchanged) when a column has a different type in the two batches,
    /// so a caller that buffers batches can start a new buffer instead of failing the write.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="other"/> is of another kind.</exception>
    public bool TryAppendBatch(WriteBatch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Kind != Kind)
        {
            throw new ArgumentException($"cannot append a {other.Kind} batch to a {Kind} batch", nameof(other));
        }

        if (!string.Equals(other.Subject, Subject, StringComparison.Ordinal))
        {
            throw new ArgumentException($"cannot append rows of subject '{other.Subject}' to a batch of subject '{Subject}'", nameof(other));
        }

        other.Validate();
        Validate();
        if (FindConflictingColumn(other) >= 0)
        {
            return false;
        }

        foreach (ColumnBuffer column in other._columns)
        {
            if (FindColumn(column.Family, column.Name) < 0)
            {
                AddColumn(column.Family, column.Name, column.Type);
            }
        }

        int before = Count;
        AppendKeys(other.SeriesIds, other.Timestamps, other.Versions);
        foreach (ColumnBuffer column in _columns)
        {
            int index = other.FindColumn(column.Family, column.Name);
            if (index >= 0)
            {
                column.AppendRange(other._columns[index], 0, other.Count);
            }
            else
            {
                for (int i = before; i < Count; i++)
                {
                    column.AppendNull();
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a column of <paramref name="other"/> has the family and name of one of this batch's with another type, so
    /// the two cannot be appended to one another (<see cref="TryAppendBatch"/>).
    /// </summary>
    public bool ConflictsWith(WriteBatch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return FindConflictingColumn(other) >= 0;
    }

    /// <summary>A new batch with the rows <paramref name="rows"/> of this one (in that order), every column kept.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the batch.</exception>
    public WriteBatch SelectRows(ReadOnlySpan<int> rows)
    {
        Validate();
        var selected = new WriteBatch(Kind, Subject);
        foreach (ColumnBuffer column in _columns)
        {
            selected.AddColumn(column.Family, column.Name, column.Type);
        }

        ulong[] series = new ulong[rows.Length];
        long[] timestamps = new long[rows.Length];
        long[] versions = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if ((uint)row >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"row {row} is outside the batch of {Count} rows");
            }

            series[i] = _seriesIds[row];
            timestamps[i] = _timestamps[row];
            versions[i] = _versions[row];
        }

        selected.AppendKeys(series, timestamps, versions);
        for (int c = 0; c < _columns.Count; c++)
        {
            ColumnBuffer target = selected._columns[c];
            target.Reserve(rows.Length);
            foreach (int row in rows)
            {
                target.AppendFrom(_columns[c], row);
            }
        }

        return selected;
    }

    /// <summary>Index in <paramref name="other"/> of a column whose type differs here; -1 when none does.</summary>
    private int FindConflictingColumn(WriteBatch other)
    {
        for (int i = 0; i < other._columns.Count; i++)
        {
            ColumnBuffer column = other._columns[i];
            int index = FindColumn(column.Family, column.Name);
            if (index >= 0 && _columns[index].Type != column.Type)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Checks every column holds exactly one value per row.</summary>
    /// <exception cref="InvalidOperationException">A column has too few or too many values.</exception>
    public void Validate()
    {
        foreach (ColumnBuffer column in _columns)
        {
            if (column.Count != Count)
            {
                throw new InvalidOperationException($"column '{column.Family}.{column.Name}' has {column.Count} values for {Count} rows");
            }
        }
    }

    /// <summary>Removes all rows and columns.</summary>
    public void Clear()
    {
        Count = 0;
        _columns.Clear();
    }

    /// <summary>Sets the row count (for decoders) and returns the key arrays to fill; columns are not touched.</summary>
    internal void PrepareKeys(int count, out Span<ulong> seriesIds, out Span<long> timestamps, out Span<long> versions)
    {
        EnsureCapacity(count);
        Count = count;
        seriesIds = _seriesIds.AsSpan(0, count);
        timestamps = _timestamps.AsSpan(0, count);
        versions = _versions.AsSpan(0, count);
    }

    private void AppendKey(ulong seriesId, long timestamp, long version)
    {
        EnsureCapacity(Count + 1);
        _seriesIds[Count] = seriesId;
        _timestamps[Count] = timestamp;
        _versions[Count] = version;
        Count++;
    }

    // The first allocation's rows when growing one row at a time.
    private const int MinimumRows = 16;

    private void EnsureCapacity(int rows)
    {
        if (_seriesIds.Length < rows)
        {
            int size = Math.Max(rows, Math.Max(MinimumRows, _seriesIds.Length * 2));
            Array.Resize(ref _seriesIds, size);
            Array.Resize(ref _timestamps, size);
            Array.Resize(ref _versions, size);
        }
    }
}
