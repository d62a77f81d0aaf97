using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Banyan.Storage.Bytes;
using Banyan.Storage.Values;

namespace Banyan.Storage.Columns;

/// <summary>
/// One column of a batch or a block, stored columnar: int64/timestamp values in a <c>long[]</c>,
/// float64 values in a <c>double[]</c>, and strings, binaries and arrays as byte ranges in one heap
/// array (strings as UTF-8; arrays in their serialized form, see <c>docs/format/encodings.md</c>).
/// Buffers grow and are kept across <see cref="Reset()"/>, so a reused column allocates nothing.
/// </summary>
public sealed class ColumnBuffer
{
    private long[] _longs = [];
    private double[] _doubles = [];
    private bool[]? _nulls;
    private byte[] _heap = [];
    private int _reservedRows; // the most rows a writer said were coming (Reserve): sizes the heap's growth
    private int _heapLength;
    private long _sharedBytes; // bytes of rows that point at the row before's bytes instead of their own copy

    // True while the heap is an array the column does not own (AppendSharedBytes): its rows point into it, nothing is
    // ever written to it, and _heapLength is the end of the last bytes a row points at; _borrowedBytes counts the rows'
    // bytes as if they were copied. Any append that writes bytes first copies the rows into a heap of the column's own.
    private bool _heapBorrowed;
    private long _borrowedBytes;
    private int[] _starts = [];
    private int[] _lengths = [];

    /// <summary>Creates an empty column.</summary>
    /// <param name="family">Tag family name, or null for a measure field.</param>
    /// <param name="name">Column name.</param>
    /// <param name="type">Value type of every non-null row.</param>
    public ColumnBuffer(string? family, string name, ColumnValueType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw new ArgumentException($"column '{name}': name must be 1 to {MaxNameBytes} UTF-8 bytes", nameof(name));
        }

        if (!ColumnValueTypes.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, $"column '{name}': unknown value type");
        }

        Family = family;
        Name = name;
        Type = type;
    }

    /// <summary>Longest column name, in UTF-8 bytes (block headers and tag directories check it on read).</summary>
    public const int MaxNameBytes = 4096;

    /// <summary>Tag family name, or null for a measure field.</summary>
    public string? Family { get; private set; }

    /// <summary>Column name, unique within its family (or among fields).</summary>
    public string Name { get; private set; }

    /// <summary>Value type of the non-null rows.</summary>
    public ColumnValueType Type { get; private set; }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Number of null rows.</summary>
    public int NullCount { get; private set; }

    /// <summary>Bytes used in the string/binary heap (for rows appended with <see cref="AppendSharedBytes"/>, the bytes a copy of them would take).</summary>
    public int HeapLength => _heapBorrowed ? (int)Math.Min(_borrowedBytes, int.MaxValue) : _heapLength;

    /// <summary>Removes all rows, keeping the buffers.</summary>
    public void Reset()
    {
        HoldsSeriesEntity = false;
        Count = 0;
        NullCount = 0;
        if (_heapBorrowed)
        {
            _heap = []; // never reused: it is not the column's to write
            _heapBorrowed = false;
            _borrowedBytes = 0;
        }

        _heapLength = 0;
        _sharedBytes = 0;
        _reservedRows = 0;
    }

    /// <summary>
    /// True when every row holds the value its block's series has for this tag in its series key (an entity tag of the
    /// block's subject, so one value for the whole block): a part of format 4 stores no bytes for such a column
    /// (<see cref="ColumnCodec.BytesFromSeriesKey"/>) and its reader takes the value from the shard's series index. Set by
    /// the seal for entity tag columns and by a part reader for the columns it restored; a merge keeps it only where
    /// every row it appended came from a column that had it. False after <see cref="Reset()"/>.
    /// </summary>
    public bool HoldsSeriesEntity { get; set; }

    /// <summary>Removes all rows and gives the column a new identity (for pooled reuse).</summary>
    public void Reset(string? family, string name, ColumnValueType type)
    {
        Reset();
        Family = family;
        Name = name;
        Type = type;
    }

    /// <summary>Rough size of the column's values before encoding, for the 2 MiB block limit.</summary>
    public long UncompressedSize => ColumnValueTypes.IsBytes(Type) ? HeapLength + _sharedBytes + (4L * Count) : 8L * Count;

    /// <summary>The int64 values (null rows hold 0); valid for Int64 and Timestamp columns.</summary>
    public ReadOnlySpan<long> Int64Values => _longs.AsSpan(0, Count);

    /// <summary>The float64 values (null rows hold 0); valid for Float64 columns.</summary>
    public ReadOnlySpan<double> Float64Values => _doubles.AsSpan(0, Count);

    /// <summary>True when row <paramref name="row"/> is null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsNull(int row)
    {
        if ((uint)row >= (uint)Count)
        {
            ThrowRow(row);
        }

        if (ColumnValueTypes.IsBytes(Type))
        {
            return _lengths[row] < 0;
        }

        return NullCount > 0 && _nulls![row];
    }

    /// <summary>The int64 (or timestamp) at <paramref name="row"/>; 0 for null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long GetInt64(int row)
    {
        if ((uint)row >= (uint)Count)
        {
            ThrowRow(row);
        }

        return _longs[row];
    }

    /// <summary>The float64 at <paramref name="row"/>; 0 for null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double GetDouble(int row)
    {
        if ((uint)row >= (uint)Count)
        {
            ThrowRow(row);
        }

        return _doubles[row];
    }

    /// <summary>The raw bytes at <paramref name="row"/> (UTF-8 for strings, serialized form for arrays); empty for null.</summary>
    public ReadOnlySpan<byte> GetBytes(int row)
    {
        if ((uint)row >= (uint)Count)
        {
            ThrowRow(row);
        }

        int length = _lengths[row];
        return length < 0 ? default : _heap.AsSpan(_starts[row], length);
    }

    /// <summary>The string at <paramref name="row"/> (allocates), or null.</summary>
    public string? GetString(int row) => IsNull(row) ? null : System.Text.Encoding.UTF8.GetString(GetBytes(row));

    /// <summary>The string array at <paramref name="row"/> (allocates), or null.</summary>
    public string[]? GetStringArray(int row)
    {
        if (IsNull(row))
        {
            return null;
        }

        var reader = new SpanReader(GetBytes(row));
        int count = reader.ReadLength(int.MaxValue);
        string[] result = new string[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = reader.ReadString(int.MaxValue);
        }

        return result;
    }

    /// <summary>The int64 array at <paramref name="row"/> (allocates), or null.</summary>
    public long[]? GetInt64Array(int row)
    {
        if (IsNull(row))
        {
            return null;
        }

        var reader = new SpanReader(GetBytes(row));
        int count = reader.ReadLength(int.MaxValue);
        long[] result = new long[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = reader.ReadVarInt64();
        }

        return result;
    }

    /// <summary>The value at <paramref name="row"/> as a <see cref="ColumnValue"/> (allocates for reference types; for tests and slow paths).</summary>
    public ColumnValue GetValue(int row)
    {
        if (IsNull(row))
        {
            return ColumnValue.Null;
        }

        return Type switch
        {
            ColumnValueType.Int64 => ColumnValue.FromInt64(_longs[row]),
            ColumnValueType.Timestamp => ColumnValue.FromTimestamp(_longs[row]),
            ColumnValueType.Float64 => ColumnValue.FromFloat64(_doubles[row]),
            ColumnValueType.String => ColumnValue.FromString(GetString(row)),
            ColumnValueType.Binary => ColumnValue.FromBinary(GetBytes(row).ToArray()),
            ColumnValueType.StringArray => ColumnValue.FromStringArray(GetStringArray(row)),
            _ => ColumnValue.FromInt64Array(GetInt64Array(row)),
        };
    }

    /// <summary>Appends a null row.</summary>
    public void AppendNull()
    {
        EnsureRows(Count + 1);
        if (ColumnValueTypes.IsBytes(Type))
        {
            _starts[Count] = _heapLength;
            _lengths[Count] = -1;
        }
        else
        {
            int capacity = Type == ColumnValueType.Float64 ? _doubles.Length : _longs.Length;
            if (_nulls is null || _nulls.Length < capacity)
            {
                bool[] nulls = new bool[capacity];
                if (_nulls is not null && NullCount > 0)
                {
                    _nulls.AsSpan(0, Count).CopyTo(nulls);
                }

                _nulls = nulls;
            }

            if (NullCount == 0)
            {
                _nulls.AsSpan(0, Count).Clear();
            }

            _nulls[Count] = true;
            if (Type == ColumnValueType.Float64)
            {
                _doubles[Count] = 0;
            }
            else
            {
                _longs[Count] = 0;
            }
        }

        NullCount++;
        Count++;
    }

    /// <summary>Appends an int64 (Int64 or Timestamp column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendInt64(long value)
    {
        CheckType(ColumnValueTypes.IsInteger(Type), "an integer");
        EnsureRows(Count + 1);
        _longs[Count] = value;
        MarkNotNull();
        Count++;
    }

    /// <summary>Appends many int64 values (Int64 or Timestamp column).</summary>
    public void AppendInt64s(ReadOnlySpan<long> values)
    {
        CheckType(ColumnValueTypes.IsInteger(Type), "an integer");
        EnsureRows(Count + values.Length);
        values.CopyTo(_longs.AsSpan(Count));
        if (NullCount > 0)
        {
            _nulls.AsSpan(Count, values.Length).Clear();
        }

        Count += values.Length;
    }

    /// <summary>Appends a float64 (Float64 column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendDouble(double value)
    {
        CheckType(Type == ColumnValueType.Float64, "a float64");
        EnsureRows(Count + 1);
        _doubles[Count] = value;
        MarkNotNull();
        Count++;
    }

    /// <summary>Appends many float64 values (Float64 column).</summary>
    public void AppendDoubles(ReadOnlySpan<double> values)
    {
        CheckType(Type == ColumnValueType.Float64, "a float64");
        EnsureRows(Count + values.Length);
        values.CopyTo(_doubles.AsSpan(Count));
        if (NullCount > 0)
        {
            _nulls.AsSpan(Count, values.Length).Clear();
        }

        Count += values.Length;
    }

    /// <summary>Appends raw bytes: UTF-8 for String, any bytes for Binary, the serialized form for arrays.</summary>
    public void AppendBytes(ReadOnlySpan<byte> value)
    {
        CheckType(ColumnValueTypes.IsBytes(Type), "a byte string");
        EnsureRows(Count + 1);
        EnsureHeap(value.Length);
        value.CopyTo(_heap.AsSpan(_heapLength));
        _starts[Count] = _heapLength;
        _lengths[Count] = value.Length;
        _heapLength += value.Length;
        Count++;
    }

    /// <summary>
    /// Appends a byte-string row whose bytes are <paramref name="length"/> bytes of <paramref name="source"/> at
    /// <paramref name="start"/>, without copying them: the column points into <paramref name="source"/>, so the caller
    /// must never change those bytes while the column (or a batch holding it) is alive. For a writer that keeps values
    /// seen again and again in one array (the write planner's entity tags, one copy per series): the rows of a
    /// sub-batch then cost no bytes of their own. All rows appended this way must share one source array; a row of another
    /// array, or any append that writes bytes (<see cref="AppendBytes"/>, <see cref="AppendString"/>, ...), first copies
    /// the column's rows into a heap of its own, so mixing stays correct, only slower. A column that has a heap of its
    /// own already (bytes reserved for copies, or a reused column) copies the row instead.
    /// </summary>
    public void AppendSharedBytes(byte[] source, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckType(ColumnValueTypes.IsBytes(Type), "a byte string");
        if ((uint)start > (uint)source.Length || (uint)length > (uint)(source.Length - start))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"column '{Name}': {length} bytes at {start} are not within the source's {source.Length}");
        }

        if (!_heapBorrowed && _heapLength == 0 && _heap.Length == 0)
        {
            // No heap of its own yet (empty, or only nulls and empty values, and no bytes reserved for copies): the
            // column borrows the source from here on.
            _heap = source;
            _heapBorrowed = true;
        }
        else if (!_heapBorrowed || !ReferenceEquals(_heap, source))
        {
            AppendBytes(source.AsSpan(start, length));
            return;
        }

        EnsureRows(Count + 1);
        _starts[Count] = start;
        _lengths[Count] = length;
        _heapLength = Math.Max(_heapLength, start + length);
        _borrowedBytes += length;
        Count++;
    }

    // Whether value is the last row's value (not null, not empty). Rows copied from other columns in series order (a
    // seal's gather, a merge's output block) repeat a series' tags in every row of its block; such a row points at the
    // bytes of the row before instead of copying them again.
    private bool SameAsLastRow(ReadOnlySpan<byte> value)
    {
        if (Count == 0 || value.IsEmpty)
        {
            return false;
        }

        int length = _lengths[Count - 1];
        return length == value.Length && _heap.AsSpan(_starts[Count - 1], length).SequenceEqual(value);
    }

    // Whether rows start+1..start+count-1 all point at row start's bytes (SharesBytesWithRowBefore, row after row).
    private bool RowsShareFirstBytes(int start, int count) =>
        _lengths[start] > 0
        && _starts.AsSpan(start + 1, count - 1).IndexOfAnyExcept(_starts[start]) < 0
        && _lengths.AsSpan(start + 1, count - 1).IndexOfAnyExcept(_lengths[start]) < 0;

    // Whether the last row is a value a row can share (see AppendLastRowAgain): not null, not empty.
    internal bool CanRepeatLastRow => Count > 0 && _lengths[Count - 1] > 0;

    // Whether row `row` points at the bytes of the row before (a row appended by AppendLastRowAgain, or a dictionary
    // entry decoded for both): the same value, known without comparing it.
    internal bool SharesBytesWithRowBefore(int row) =>
        row > 0 && _lengths[row] > 0 && _starts[row] == _starts[row - 1] && _lengths[row] == _lengths[row - 1];

    /// <summary>
    /// True when rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> of this byte-string
    /// column all have values of one size (a null counts as 0 bytes, as <see cref="UncompressedSize"/> counts it).
    /// </summary>
    internal bool HasEqualSizes(int start, int count)
    {
        if (count <= 1)
        {
            return true;
        }

        ReadOnlySpan<int> lengths = _lengths.AsSpan(start, count);
        int first = Math.Max(0, lengths[0]);
        foreach (int length in lengths)
        {
            if (Math.Max(0, length) != first)
            {
                return false;
            }
        }

        return true;
    }

    // A row whose value is the last row's, sharing its bytes in the heap (the caller knows the value is the same and
    // CanRepeatLastRow holds). UncompressedSize still counts its bytes, so blocks are cut and memory is estimated as if
    // it had its own copy.
    internal void AppendLastRowAgain()
    {
        EnsureRows(Count + 1);
        _starts[Count] = _starts[Count - 1];
        _lengths[Count] = _lengths[Count - 1];
        _sharedBytes += _lengths[Count];
        Count++;
    }

    // AppendLastRowAgain, `times` times over.
    internal void AppendLastRowAgain(int times)
    {
        EnsureRows(Count + times);
        int start = _starts[Count - 1];
        int length = _lengths[Count - 1];
        _starts.AsSpan(Count, times).Fill(start);
        _lengths.AsSpan(Count, times).Fill(length);
        _sharedBytes += (long)length * times;
        Count += times;
    }

    /// <summary>Appends a string (String column); null appends a null row.</summary>
    public void AppendString(string? value)
    {
        CheckType(Type == ColumnValueType.String, "a string");
        if (value is null)
        {
            AppendNull();
            return;
        }

        EnsureRows(Count + 1);
        EnsureHeap(System.Text.Encoding.UTF8.GetMaxByteCount(value.Length));
        int written = System.Text.Encoding.UTF8.GetBytes(value, _heap.AsSpan(_heapLength));
        _starts[Count] = _heapLength;
        _lengths[Count] = written;
        _heapLength += written;
        Count++;
    }

    /// <summary>Appends a string array (StringArray column); null appends a null row.</summary>
    public void AppendStringArray(string[]? value)
    {
        CheckType(Type == ColumnValueType.StringArray, "a string array");
        if (value is null)
        {
            AppendNull();
            return;
        }

        using var buffer = new ByteBuffer();
        buffer.WriteVarUInt64((ulong)value.Length);
        foreach (string element in value)
        {
            if (element is null)
            {
                throw new ArgumentException($"column '{Name}': string array elements must not be null", nameof(value));
            }

            buffer.WriteString(element);
        }

        AppendBytes(buffer.WrittenSpan);
    }

    /// <summary>Appends an int64 array (Int64Array column); null appends a null row.</summary>
    public void AppendInt64Array(long[]? value)
    {
        CheckType(Type == ColumnValueType.Int64Array, "an int64 array");
        if (value is null)
        {
            AppendNull();
            return;
        }

        using var buffer = new ByteBuffer();
        buffer.WriteVarUInt64((ulong)value.Length);
        foreach (long element in value)
        {
            buffer.WriteVarInt64(element);
        }

        AppendBytes(buffer.WrittenSpan);
    }

    /// <summary>Appends <paramref name="value"/>, which must be null or of the column's type.</summary>
    public void Append(in ColumnValue value)
    {
        if (value.IsNull)
        {
            AppendNull();
            return;
        }

        if (value.Type != Type && !(ColumnValueTypes.IsInteger(value.Type) && ColumnValueTypes.IsInteger(Type)))
        {
            throw new ArgumentException($"column '{Name}' has type {Type}, the value has type {value.Type}", nameof(value));
        }

        switch (Type)
        {
            case ColumnValueType.Int64:
            case ColumnValueType.Timestamp:
                AppendInt64(value.Int64Value);
                break;
            case ColumnValueType.Float64:
                AppendDouble(value.Float64Value);
                break;
            case ColumnValueType.String:
                AppendString((string)value.Reference!);
                break;
            case ColumnValueType.Binary:
                AppendBytes((byte[])value.Reference!);
                break;
            case ColumnValueType.StringArray:
                AppendStringArray((string[])value.Reference!);
                break;
            default:
                AppendInt64Array((long[])value.Reference!);
                break;
        }
    }

    /// <summary>Appends row <paramref name="row"/> of <paramref name="source"/>, a column of the same type.</summary>
    public void AppendFrom(ColumnBuffer source, int row)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Type != Type)
        {
            throw new ArgumentException($"column '{Name}' has type {Type}, the source column has type {source.Type}", nameof(source));
        }

        if (source.IsNull(row))
        {
            AppendNull();
        }
        else if (Type == ColumnValueType.Float64)
        {
            AppendDouble(source._doubles[row]);
        }
        else if (ColumnValueTypes.IsInteger(Type))
        {
            AppendInt64(source._longs[row]);
        }
        else
        {
            ReadOnlySpan<byte> value = source.GetBytes(row);
            if (SameAsLastRow(value))
            {
                AppendLastRowAgain();
            }
            else if (source._heapBorrowed)
            {
                // Bytes no one changes (see AppendSharedBytes): borrowed again rather than copied, so a seal's blocks
                // point at the planner's one copy of a series' tags too.
                AppendSharedBytes(source._heap, source._starts[row], value.Length);
            }
            else
            {
                AppendBytes(value);
            }
        }
    }

    /// <summary>Appends rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> of <paramref name="source"/>.</summary>
    public void AppendRange(ColumnBuffer source, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.NullCount == 0 && source.Type == Type && !ColumnValueTypes.IsBytes(Type))
        {
            if (Type == ColumnValueType.Float64)
            {
                AppendDoubles(source._doubles.AsSpan(start, count));
            }
            else
            {
                AppendInt64s(source._longs.AsSpan(start, count));
            }

            return;
        }

        if (source.Type == Type && ColumnValueTypes.IsBytes(Type) && count > 1 && source.RowsShareFirstBytes(start, count))
        {
            // One value for every row (an entity tag of a merged or decoded block, one series): appended once and shared
            // by the rest, found by comparing the rows' positions a vector at a time instead of row by row. The value is
            // neither null nor empty (RowsShareFirstBytes), so the row just appended can be repeated.
            AppendFrom(source, start);
            AppendLastRowAgain(count - 1);
            return;
        }

        if (source.Type == Type && ColumnValueTypes.IsBytes(Type))
        {
            // Room for every row and byte at once: growing by doubling row by row allocated about twice the
            // column's size in discarded arrays (the shard's batch copies and merges move whole columns this way).
            int bytes = 0;
            for (int i = start; i < start + count; i++)
            {
                bytes += source.IsNull(i) || (i > start && source.SharesBytesWithRowBefore(i)) ? 0 : source._lengths[i];
            }

            // Rows of a borrowing source are borrowed again (AppendFrom) where this column can borrow that array:
            // no heap of its own to make room in then.
            bool borrows = source._heapBorrowed && (_heapBorrowed ? ReferenceEquals(_heap, source._heap) : _heapLength == 0 && _heap.Length == 0);
            EnsureRows(Count + count);
            if (!borrows)
            {
                EnsureHeap(bytes);
            }

            for (int i = start; i < start + count; i++)
            {
                // A source row that shares the bytes of the row before (a series' tags in a merged or decoded block)
                // repeats the value just appended: shared again without reading or comparing it.
                if (i > start && source.SharesBytesWithRowBefore(i) && CanRepeatLastRow)
                {
                    AppendLastRowAgain();
                }
                else
                {
                    AppendFrom(source, i);
                }
            }

            return;
        }

        for (int i = start; i < start + count; i++)
        {
            AppendFrom(source, i);
        }
    }

    /// <summary>
    /// Makes room for <paramref name="rows"/> rows, so appends up to that count do not regrow the arrays; a byte column's
    /// heap, whose size is not known yet, grows once to what the rows will take (see <see cref="GrownHeapLength"/>).
    /// </summary>
    public void Reserve(int rows)
    {
        EnsureRows(rows);
        _reservedRows = Math.Max(_reservedRows, rows);
    }

    /// <summary>
    /// Makes room for <paramref name="bytes"/> more bytes of byte-string values, exactly, so appends of up to that many
    /// bytes do not regrow the heap. For a writer that knows the total ahead (a concatenation of batches): growing on
    /// the way allocated two to three times the column's bytes in discarded heaps. No effect on other column types.
    /// </summary>
    internal void ReserveBytes(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_heapBorrowed)
        {
            OwnHeap(bytes);
            return;
        }

        if (ColumnValueTypes.IsBytes(Type) && _heap.Length - _heapLength < bytes)
        {
            byte[] grown = GC.AllocateUninitializedArray<byte>(checked(_heapLength + bytes));
            _heap.AsSpan(0, _heapLength).CopyTo(grown);
            _heap = grown;
        }
    }

    // ---- Access for the codecs (same assembly) ----

    internal Span<long> PrepareInt64Rows(int count)
    {
        Reset();
        EnsureRows(count);
        Count = count;
        return _longs.AsSpan(0, count);
    }

    internal Span<double> PrepareFloat64Rows(int count)
    {
        Reset();
        EnsureRows(count);
        Count = count;
        return _doubles.AsSpan(0, count);
    }

    // Appends `count` non-null rows to an Int64, Timestamp or Float64 column and returns them for the caller to write,
    // a float64 as its bits (a memory part's row store is filled block by block this way, without a temporary array).
    internal Span<long> AppendFixedWidthRowsUnfilled(int count)
    {
        CheckType(Type == ColumnValueType.Float64 || ColumnValueTypes.IsInteger(Type), "a number");
        EnsureRows(Count + count);
        if (NullCount > 0)
        {
            _nulls.AsSpan(Count, count).Clear();
        }

        Span<long> rows = Type == ColumnValueType.Float64 ? MemoryMarshal.Cast<double, long>(_doubles.AsSpan(Count, count)) : _longs.AsSpan(Count, count);
        Count += count;
        return rows;
    }

    internal Span<bool> PrepareNulls(int count, int nullCount)
    {
        if (_nulls is null || _nulls.Length < count)
        {
            _nulls = new bool[Math.Max(count, _longs.Length)];
        }

        NullCount = nullCount;
        return _nulls.AsSpan(0, count);
    }

    internal ReadOnlySpan<bool> NullFlags => NullCount == 0 ? default : _nulls.AsSpan(0, Count);

    internal byte[] PrepareHeap(int length)
    {
        Reset();
        if (_heap.Length < length)
        {
            _heap = new byte[Math.Max(length, _heap.Length * 2)];
        }

        _heapLength = length;
        return _heap;
    }

    internal void SetBytesRows(int count, out Span<int> starts, out Span<int> lengths)
    {
        EnsureRows(count);
        Count = count;
        starts = _starts.AsSpan(0, count);
        lengths = _lengths.AsSpan(0, count);
    }

    internal void SetNullCount(int nullCount) => NullCount = nullCount;

    internal ReadOnlySpan<int> Starts => _starts.AsSpan(0, Count);

    internal ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, Count);

    internal ReadOnlySpan<byte> Heap => _heap.AsSpan(0, _heapLength);

    // The array this column's rows point into without owning it (AppendSharedBytes), or null.
    internal byte[]? BorrowedHeap => _heapBorrowed ? _heap : null;

    // The heap's allocated length (tests pin what ReserveBytes allocates).
    internal int HeapCapacity => _heap.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkNotNull()
    {
        if (NullCount > 0)
        {
            _nulls![Count] = false;
        }
    }

    private void EnsureRows(int rows)
    {
        if (ColumnValueTypes.IsBytes(Type))
        {
            if (_starts.Length < rows)
            {
                int size = Math.Max(rows, Math.Max(16, _starts.Length * 2));
                Array.Resize(ref _starts, size);
                Array.Resize(ref _lengths, size);
            }
        }
        else if (Type == ColumnValueType.Float64)
        {
            if (_doubles.Length < rows)
            {
                Array.Resize(ref _doubles, Math.Max(rows, Math.Max(16, _doubles.Length * 2)));
            }
        }
        else if (_longs.Length < rows)
        {
            Array.Resize(ref _longs, Math.Max(rows, Math.Max(16, _longs.Length * 2)));
        }

        if (_nulls is not null && _nulls.Length < rows && NullCount > 0)
        {
            Array.Resize(ref _nulls, Math.Max(rows, _nulls.Length * 2));
        }
    }

    // The grown heap is not zeroed: only its first _heapLength bytes are ever read, and appends write every byte before
    // they count it. Zeroing the new array (Array.Resize) was a memset of every byte-column heap a seal, a merge and the
    // write planner grow, plus the page faults of touching it twice: about 3 % of an ingest profile's samples.
    private void EnsureHeap(int extra)
    {
        if (_heapBorrowed)
        {
            OwnHeap(extra);
            return;
        }

        if (_heap.Length - _heapLength < extra)
        {
            byte[] grown = GC.AllocateUninitializedArray<byte>(GrownHeapLength(_heap.Length, _heapLength + extra, Count, _reservedRows));
            _heap.AsSpan(0, _heapLength).CopyTo(grown);
            _heap = grown;
        }
    }

    // A column whose rows point into a borrowed array gets a heap of its own, with room for `extra` more bytes: each
    // row's bytes copied once, a row pointing at the same bytes as the row before (a series' value in consecutive rows)
    // sharing them again. UncompressedSize is unchanged: bytes not copied again count as shared.
    private void OwnHeap(int extra)
    {
        long logical = _borrowedBytes + _sharedBytes;
        byte[] own = GC.AllocateUninitializedArray<byte>(checked((int)Math.Min(_borrowedBytes + extra, Array.MaxLength)));
        int at = 0;
        int previousStart = -1;
        int previousLength = -1;
        for (int row = 0; row < Count; row++)
        {
            int start = _starts[row];
            int length = _lengths[row];
            if (length <= 0)
            {
                _starts[row] = at;
                previousStart = -1; // a row after a null or empty value shares nothing with it
                previousLength = -1;
                continue;
            }

            if (start == previousStart && length == previousLength)
            {
                _starts[row] = _starts[row - 1];
                continue;
            }

            _heap.AsSpan(start, length).CopyTo(own.AsSpan(at));
            previousStart = start;
            previousLength = length;
            _starts[row] = at;
            at += length;
        }

        _heap = own;
        _heapBorrowed = false;
        _borrowedBytes = 0;
        _heapLength = at;
        _sharedBytes = logical - at;
    }

    /// <summary>
    /// The heap's next length when <paramref name="needed"/> bytes must fit: at least double. A writer that reserved its
    /// rows ahead (<see cref="Reserve"/>: a planner's sub-batch, a seal's block) has told how many values are coming, so
    /// the heap grows at once to what they take at the mean length so far, plus an eighth, instead of doubling its way
    /// there: each doubling is a copy of the heap and one more array for the GC, and byte columns (tags) are most of
    /// the bytes the write path allocates.
    /// </summary>
    internal static int GrownHeapLength(int current, int needed, int rows, int reservedRows)
    {
        long length = Math.Max(needed, Math.Max(256L, current * 2L));
        if (rows > 0 && reservedRows > rows + 1)
        {
            long projected = (long)needed * reservedRows / (rows + 1);
            length = Math.Max(length, projected + (projected / 8));
        }

        return (int)Math.Min(length, Math.Max(needed, Array.MaxLength));
    }

    private void CheckType(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"column '{Name}' has type {Type}; cannot append {what}");
        }
    }

    private void ThrowRow(int row) => throw new ArgumentOutOfRangeException(nameof(row), row, $"column '{Name}' has {Count} rows");
}
