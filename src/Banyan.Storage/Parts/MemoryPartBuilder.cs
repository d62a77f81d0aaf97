using System.Buffers;
using System.Runtime.InteropServices;
using Banyan.Storage.Columns;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// The one way a memory part is built: from write batches given in write order (a shard's buffered
/// writes, or a single batch for <see cref="MemoryPart.Build"/>). Keys are gathered and sorted
/// across the batches (<see cref="BatchSorter.SortKeys(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{ulong}, Span{long}, Span{int})"/>), measures keep the winning version of
/// each key, stream rows of equal keys keep their order of arrival, and every value is copied once,
/// from its batch (or a flat pooled copy of its column) into its block; for a seal, numeric columns
/// without nulls move with the keys while they are sorted (<see cref="BatchSorter"/>'s payloads), so
/// their blocks are filled by plain copies. Blocks are cut by the
/// <see cref="BlockCutter"/>, the rule part writers follow too.
/// </summary>
/// <remarks>
/// <para>A block holds rows of one series, so of one subject (a series id hashes the subject).
/// Its columns are the union of the columns of that subject's batches (in order of first
/// appearance), so a tag or field added to a subject's schema is null in the rows written before
/// it; subjects do not share columns.</para>
/// <para>Batches whose subject has a column under the same name with another type cannot share a
/// part: <see cref="BuildAll"/> cuts the batches into runs that can, one part per run, in write
/// order (the later part wins equal-version ties, as the later write).</para>
/// </remarks>
internal static class MemoryPartBuilder
{
    /// <summary>
    /// The memory parts of <paramref name="batches"/> (in write order): one, or one per run of
    /// batches whose columns agree in type within each subject. With <paramref name="filter"/>, only
    /// the rows of its series and time range (for a read's transient part). <paramref name="entityTagsOf"/>
    /// gives a subject's entity tag names (null when unknown): a series id is the hash of its subject's entity
    /// values, so within a block, which holds one series, those tags repeat the block's first row and are copied
    /// once per block instead of once per row.
    /// </summary>
    public static List<MemoryPart> BuildAll(IReadOnlyList<WriteBatch> batches, DataKind kind, PartWriterOptions options, SeriesTimeFilter? filter = null, Func<string, IReadOnlyList<string>?>? entityTagsOf = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var parts = new List<MemoryPart>(1);
        if (batches.Count == 0)
        {
            parts.Add(Build(batches, kind, options, filter, entityTagsOf));
            return parts;
        }

        int start = 0;
        while (start < batches.Count)
        {
            int length = CompatibleRunLength(batches, start);
            parts.Add(Build(new BatchRange(batches, start, length), kind, options, filter, entityTagsOf));
            start += length;
        }

        return parts;
    }

    /// <summary>
    /// One memory part of <paramref name="batches"/>, whose columns must agree in type within each subject
    /// (<paramref name="filter"/> and <paramref name="entityTagsOf"/> as for <see cref="BuildAll"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">A column of a batch does not hold one value per row.</exception>
    /// <exception cref="ArgumentException">A subject's column has two types in the batches.</exception>
    public static MemoryPart Build(IReadOnlyList<WriteBatch> batches, DataKind kind, PartWriterOptions options, SeriesTimeFilter? filter = null, Func<string, IReadOnlyList<string>?>? entityTagsOf = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        foreach (WriteBatch batch in batches)
        {
            batch.Validate();
            if (batch.Kind != kind)
            {
                throw new ArgumentException($"a {batch.Kind} batch cannot go into a {kind} memory part", nameof(batches));
            }
        }

        using var source = new BatchRows(batches, entityTagsOf, sortsColumns: filter is null);
        int selected = source.CountSelected(filter);
        if (selected == 0)
        {
            return MemoryPart.FromBlocks(kind, [], source.Families);
        }

        ulong[] series = ArrayPool<ulong>.Shared.Rent(selected);
        long[] times = ArrayPool<long>.Shared.Rent(selected);
        long[] versions = ArrayPool<long>.Shared.Rent(selected);
        int[]? rows = filter is null ? null : ArrayPool<int>.Shared.Rent(selected);
        ulong[] sortedSeries = ArrayPool<ulong>.Shared.Rent(selected);
        long[] sortedTimes = ArrayPool<long>.Shared.Rent(selected);
        int[] order = ArrayPool<int>.Shared.Rent(selected);
        int[] keep = ArrayPool<int>.Shared.Rent(selected);
        try
        {
            source.CollectKeys(filter, series, times, versions, rows);
            Span<ulong> sortedSeriesSpan = sortedSeries.AsSpan(0, selected);
            Span<long> sortedTimesSpan = sortedTimes.AsSpan(0, selected);
            Span<int> orderSpan = order.AsSpan(0, selected);

            // Without a filter the sorter's rows are the batches' rows, which the flat columns (or, with several
            // subjects, their slots) are indexed by: those columns are sorted with the keys.
            (long[][] payloadSources, long[][] payloadTargets) = filter is null ? source.PrepareSortedColumns() : ([], []);
            BatchSorter.SortKeys(series.AsSpan(0, selected), times.AsSpan(0, selected), sortedSeriesSpan, sortedTimesSpan, orderSpan, payloadSources, payloadTargets, SortsOnTwoThreads(filter, selected));
            int kept;
            if (kind == DataKind.Measure)
            {
                kept = BatchSorter.DeduplicateMeasures(sortedSeriesSpan, sortedTimesSpan, orderSpan, versions.AsSpan(0, selected), keep);
            }
            else
            {
                BatchSorter.OrderEqualKeysByArrival(sortedSeriesSpan, sortedTimesSpan, orderSpan, payloadSources, payloadTargets);
                kept = selected;
                for (int i = 0; i < selected; i++)
                {
                    keep[i] = i;
                }
            }

            // Versions are often all equal (0 when the client sets none): then no gather is needed.
            bool constantVersion = versions.AsSpan(1, selected - 1).IndexOfAnyExcept(versions[0]) < 0;

            // Positions are kept in order, so keeping as many as there are is keeping each in place.
            bool keepsAll = kept == selected;
            var sorted = new SortedRows(sortedSeries, sortedTimes, order, versions, rows, keep, kept, constantVersion, keepsAll);
            return Assemble(kind, sorted, source, options);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(series);
            ArrayPool<long>.Shared.Return(times);
            ArrayPool<long>.Shared.Return(versions);
            if (rows is not null)
            {
                ArrayPool<int>.Shared.Return(rows);
            }

            ArrayPool<ulong>.Shared.Return(sortedSeries);
            ArrayPool<long>.Shared.Return(sortedTimes);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(keep);
        }
    }

    /// <summary>
    /// Whether the keys of a part of <paramref name="rows"/> selected rows are sorted on two threads: for a seal (no
    /// <paramref name="filter"/>), which runs on the thread pool and may wait for the helper's last range, once the rows
    /// make it pay; never for a read's transient part, which may be built on a grain's turn (<c>ShardReader</c> reads a
    /// few named series there), where nothing may wait for another thread.
    /// </summary>
    internal static bool SortsOnTwoThreads(SeriesTimeFilter? filter, int rows) => filter is null && BatchSorter.UsesTwoThreads(rows);

    // How many batches from `start` on can share a part: until a batch of some subject declares a
    // column that subject already has with another type (at least one batch).
    private static int CompatibleRunLength(IReadOnlyList<WriteBatch> batches, int start)
    {
        var types = new Dictionary<(string Subject, string? Family, string Name), ColumnValueType>();
        int end = start;
        for (; end < batches.Count; end++)
        {
            WriteBatch batch = batches[end];
            foreach (ColumnBuffer column in batch.Columns)
            {
                if (types.TryGetValue((batch.Subject, column.Family, column.Name), out ColumnValueType type) && type != column.Type)
                {
                    return Math.Max(1, end - start);
                }
            }

            foreach (ColumnBuffer column in batch.Columns)
            {
                types[(batch.Subject, column.Family, column.Name)] = column.Type;
            }
        }

        return Math.Max(1, end - start);
    }

    private static MemoryPart Assemble(DataKind kind, SortedRows sorted, BatchRows source, PartWriterOptions options)
    {
        var cutter = new BlockCutter(kind, options);
        int maxRows = options.MaxRowsPerBlock(kind);
        var blocks = new List<MemoryPart.RowRange>();
        var stores = new List<Block>();
        int count = sorted.Count;
        int k = 0;
        while (k < count)
        {
            ulong seriesId = sorted.SeriesAt(k);
            SubjectColumns subject = source.SubjectOfRow(sorted.RowAt(k));
            cutter.Start(seriesId);
            int end;
            if (subject.FixedWidth)
            {
                // Fixed-width rows: the whole run the limits allow, in one step.
                int runEnd = k + 1;
                while (runEnd < count && runEnd - k < maxRows && sorted.SeriesAt(runEnd) == seriesId)
                {
                    runEnd++;
                }

                end = k + cutter.Fit(runEnd - k, subject.FixedRowBytes);
            }
            else
            {
                end = k;
                subject.StartSeries();
                long rowBytes = 0;
                do
                {
                    // Rows alike within the series: the first row's size is every row's.
                    rowBytes = end == k || !subject.SeriesRowsAlike ? source.RowBytes(subject, sorted.RowAt(end)) : rowBytes;
                    cutter.Add(1, rowBytes);
                    end++;
                }
                while (end < count && !cutter.MustCut(sorted.SeriesAt(end)));
            }

            if (subject.Store is null)
            {
                subject.Store = NewStore(subject, count);
                stores.Add(subject.Store);
            }

            int firstRow = subject.Store.Count;
            int storeBlock = subject.StoreBlocks++;
            (ulong entityColumns, long compactBytes) = AppendBlockRows(subject, sorted, k, end - k, source);
            blocks.Add(new MemoryPart.RowRange(subject.Store, firstRow, end - k, seriesId, entityColumns)
            {
                StoreBlock = storeBlock,
                OnePerBlockColumns = subject.OnePerBlockMask,
                CompactedBytes = compactBytes,
            });
            k = end;
        }

        return MemoryPart.FromRanges(kind, blocks, stores, source.Families);
    }

    // A subject's row store: its columns, room for all of its rows that can be kept (a read's filter may keep a few of
    // many buffered rows; deduplication may keep fewer). A column kept once per block (SubjectColumns.OnePerBlockMask)
    // grows by blocks instead.
    private static Block NewStore(SubjectColumns subject, int kept)
    {
        var store = new Block();
        store.Reset(0);
        int rows = Math.Min(subject.RowCount, kept);
        store.ReserveKeys(rows);
        for (int c = 0; c < subject.Columns.Count; c++)
        {
            (string? family, string name, ColumnValueType type) = subject.Columns[c];
            ColumnBuffer column = store.AddColumnUnfilled(family, name, type);
            if (!subject.IsOnePerBlock(c))
            {
                column.Reserve(rows);
            }
        }

        return store;
    }

    // Appends kept positions first..first+count (one block, one series) to the subject's row store; returns the block's
    // entity mask (bit c: column c is an entity tag of the subject with a value in every row of the block, so every
    // row holds the series' value and a part of format 4 leaves the column to the series index), and the bytes the
    // block's rows of its one-per-block columns would add to the store's size if each row had its own (see
    // MemoryPart.RowRange.CompactedBytes).
    private static (ulong EntityColumns, long CompactedBytes) AppendBlockRows(SubjectColumns subject, SortedRows sorted, int first, int count, BatchRows source)
    {
        Block block = subject.Store!;
        block.AppendKeysUnfilled(count, out Span<long> timestamps, out Span<long> versions);
        if (sorted.KeepsAll)
        {
            sorted.Times(first, count).CopyTo(timestamps);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                timestamps[i] = sorted.TimeAt(first + i);
            }
        }

        if (sorted.ConstantVersion)
        {
            versions.Fill(sorted.FirstVersion);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                versions[i] = sorted.VersionAt(first + i);
            }
        }

        ulong entityColumns = 0;
        long compactedBytes = 0;
        for (int c = 0; c < subject.Columns.Count; c++)
        {
            ColumnBuffer column = block.Columns[c];
            int nullsBefore = column.NullCount;
            if (subject.IsOnePerBlock(c))
            {
                // The series' value, once for the block: every row of it holds the same (the series id is the hash of
                // its entity), so the store keeps no start and length per row for it.
                source.Gather(subject, c, sorted, first, 1, column);
                compactedBytes += (count - 1) * (4L + column.GetBytes(column.Count - 1).Length);
            }
            else
            {
                source.Gather(subject, c, sorted, first, count, column);
            }

            if (c < 64 && subject.SeriesDetermined is { } determined && determined[c] && column.NullCount == nullsBefore)
            {
                entityColumns |= 1UL << c;
            }
        }

        return (entityColumns, compactedBytes);
    }

    /// <summary>A window of a batch list, so runs of <see cref="BuildAll"/> need no copies.</summary>
    private sealed class BatchRange(IReadOnlyList<WriteBatch> batches, int start, int count) : IReadOnlyList<WriteBatch>
    {
        public WriteBatch this[int index] => batches[start + index];

        public int Count => count;

        public IEnumerator<WriteBatch> GetEnumerator()
        {
            for (int i = 0; i < count; i++)
            {
                yield return batches[start + i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// The selected keys in sorted order and, for each kept position, the row it came from: a global
    /// row number over all batches (batch starts added), through the filter's row list when there is one.
    /// </summary>
    private readonly struct SortedRows(ulong[] series, long[] times, int[] order, long[] versions, int[]? rows, int[] kept, int keptCount, bool constantVersion, bool keepsAll)
    {
        public int Count => keptCount;

        /// <summary>True when every sorted position is kept: kept position k is sorted position k.</summary>
        public bool KeepsAll => keepsAll;

        /// <summary>The sorted position of kept position <paramref name="k"/>.</summary>
        public int PositionAt(int k) => kept[k];

        /// <summary>Timestamps of kept positions first..first+count; only when <see cref="KeepsAll"/>.</summary>
        public ReadOnlySpan<long> Times(int first, int count) => times.AsSpan(first, count);

        public bool ConstantVersion => constantVersion;

        public long FirstVersion => versions[0];

        public ulong SeriesAt(int k) => series[kept[k]];

        public long TimeAt(int k) => times[kept[k]];

        public int RowAt(int k) => rows is null ? order[kept[k]] : rows[order[kept[k]]];

        public long VersionAt(int k) => versions[order[kept[k]]];
    }

    /// <summary>
    /// The columns of one subject's blocks: the union of its batches' columns, and per batch where
    /// each of them is (or -1). Numeric columns that every batch of the subject has without nulls are
    /// copied once into a flat pooled array (a memory copy) so a gather is one indexed read.
    /// </summary>
    private sealed class SubjectColumns
    {
        public List<(string? Family, string Name, ColumnValueType Type)> Columns { get; } = [];

        /// <summary>Per batch of the run (null for batches of other subjects): union column → batch column index or -1.</summary>
        public int[]?[] Map { get; init; } = [];

        /// <summary>Per column: true when it is a number every batch has without nulls (kept flat, or sorted with the keys).</summary>
        public bool[] NoNulls { get; set; } = [];

        /// <summary>
        /// Per column: its values in batch order (float64 as their bits), when every batch has it without nulls and a
        /// gather reads them by row (one subject, or a filter); else null.
        /// </summary>
        public long[]?[] Flat { get; set; } = [];

        /// <summary>Per column: <see cref="Flat"/> in sorted position order, when the sorter moved it with the keys; else null.</summary>
        public long[]?[] Sorted { get; set; } = [];

        public bool FixedWidth { get; set; }

        /// <summary>The memory part's row store of this subject (its blocks are ranges of it), once its first block is cut.</summary>
        public Block? Store { get; set; }

        public long FixedRowBytes { get; set; }

        /// <summary>
        /// Per column: true for a byte column holding an entity tag, whose value the series id determines, so every
        /// row of a block (one series) has the first row's value; null when the subject has none.
        /// </summary>
        public bool[]? SeriesDetermined { get; set; }

        /// <summary>Per column, while rows of one series are cut into blocks: the byte length of a series-determined value once read, else -1.</summary>
        public int[] SeriesLengths { get; set; } = [];

        /// <summary>Per column: true when every batch of the subject has it (no row is null for want of the column).</summary>
        public bool[] InEveryBatch { get; set; } = [];

        /// <summary>
        /// Bit c set when column c (of the first 64) is series-determined and in every batch: every row of a block then
        /// holds the block's first row's value, and the row store keeps it once per block
        /// (<see cref="MemoryPart.RowRange.OnePerBlockColumns"/>).
        /// </summary>
        public ulong OnePerBlockMask { get; set; }

        /// <summary>Blocks cut into <see cref="Store"/> so far: the next block's row in its one-per-block columns.</summary>
        public int StoreBlocks { get; set; }

        /// <summary>Whether column <paramref name="column"/> is kept once per block (<see cref="OnePerBlockMask"/>).</summary>
        public bool IsOnePerBlock(int column) => MemoryPart.InMask(OnePerBlockMask, column);

        /// <summary>
        /// True when every byte column is series-determined and in every batch: all rows of a series then have the size
        /// of its first row, and the block cutter measures only that one (<see cref="BatchRows.RowBytes"/> finds a row's
        /// batch, a random read per row of the time-major buffer).
        /// </summary>
        public bool SeriesRowsAlike { get; set; }

        /// <summary>Before the rows of a new series are measured (<see cref="BatchRows.RowBytes"/>).</summary>
        public void StartSeries()
        {
            if (SeriesDetermined is not null)
            {
                SeriesLengths.AsSpan().Fill(-1);
            }
        }

        /// <summary>Rows of this subject, across its batches.</summary>
        public int RowCount { get; set; }

        public int IndexOf(string? family, string name)
        {
            for (int i = 0; i < Columns.Count; i++)
            {
                if (Columns[i].Name == name && Columns[i].Family == family)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>
    /// The rows of all batches numbered 0..Count-1 in batch order, grouped by subject for their
    /// columns. Values are read from their batch (found by row) or from a flat copy of their column.
    /// </summary>
    private sealed class BatchRows : IDisposable
    {
        private readonly IReadOnlyList<WriteBatch> _batches;
        private readonly int[] _starts;
        private readonly SubjectColumns[] _subjectOfBatch;
        private readonly List<SubjectColumns> _subjects = [];

        // Position of a row among the rows of its subject (flat arrays are per subject); null when
        // the batches have one subject, where it is the row itself.
        private readonly int[]? _subjectRowOf;
        private int[]? _batchOfRow;

        // With several subjects, the sorter's payload slots (source, target, source, ...), see PrepareSortedSlots.
        private long[][]? _slots;

        public BatchRows(IReadOnlyList<WriteBatch> batches, Func<string, IReadOnlyList<string>?>? entityTagsOf, bool sortsColumns)
        {
            _batches = batches;
            _starts = new int[batches.Count + 1];
            for (int b = 0; b < batches.Count; b++)
            {
                _starts[b + 1] = checked(_starts[b] + batches[b].Count);
            }

            // Subjects and the union of their columns, in order of first appearance.
            _subjectOfBatch = new SubjectColumns[batches.Count];
            var bySubject = new Dictionary<string, SubjectColumns>(StringComparer.Ordinal);
            for (int b = 0; b < batches.Count; b++)
            {
                if (!bySubject.TryGetValue(batches[b].Subject, out SubjectColumns? subject))
                {
                    subject = new SubjectColumns { Map = new int[]?[batches.Count] };
                    bySubject.Add(batches[b].Subject, subject);
                    _subjects.Add(subject);
                }

                _subjectOfBatch[b] = subject;
                subject.RowCount += batches[b].Count;
                foreach (ColumnBuffer column in batches[b].Columns)
                {
                    int at = subject.IndexOf(column.Family, column.Name);
                    if (at < 0)
                    {
                        subject.Columns.Add((column.Family, column.Name, column.Type));
                    }
                    else if (subject.Columns[at].Type != column.Type)
                    {
                        throw new ArgumentException($"column '{column.Family}.{column.Name}' of subject '{batches[b].Subject}' is {subject.Columns[at].Type} in one batch and {column.Type} in another", nameof(batches));
                    }
                }
            }

            foreach (string family in FamiliesOf(_subjects))
            {
                Families.Add(family);
            }

            int[]? previousMap = null;
            for (int b = 0; b < batches.Count; b++)
            {
                SubjectColumns subject = _subjectOfBatch[b];

                // One writer sends the same columns again and again: reuse the previous batch's map.
                int[] map = b > 0 && previousMap is not null && _subjectOfBatch[b - 1] == subject && SameColumns(batches[b - 1], batches[b])
                    ? previousMap
                    : MapColumns(subject, batches[b]);
                subject.Map[b] = map;
                previousMap = map;
            }

            // Several subjects sorted with their keys (a seal) read their numbers from the sorter's slots, indexed by
            // row; flat columns, indexed by a row's position in its subject, are for a filter's gathers.
            bool slotted = sortsColumns && _subjects.Count > 1;
            if (_subjects.Count > 1 && !slotted)
            {
                _subjectRowOf = ArrayPool<int>.Shared.Rent(Math.Max(1, Count));
                var next = new Dictionary<SubjectColumns, int>(_subjects.Count);
                for (int b = 0; b < batches.Count; b++)
                {
                    next.TryGetValue(_subjectOfBatch[b], out int at);
                    for (int r = _starts[b]; r < _starts[b + 1]; r++)
                    {
                        _subjectRowOf[r] = at++;
                    }

                    next[_subjectOfBatch[b]] = at;
                }
            }

            foreach (SubjectColumns subject in _subjects)
            {
                PrepareFlatColumns(subject, keepFlat: !slotted);
            }

            if (entityTagsOf is not null)
            {
                foreach ((string name, SubjectColumns subject) in bySubject)
                {
                    MarkSeriesDetermined(subject, entityTagsOf(name));
                }
            }

            foreach (SubjectColumns subject in _subjects)
            {
                MarkColumnsInEveryBatch(subject);
            }
        }

        public int Count => _starts[^1];

        /// <summary>Tag families of every subject (for the part's metadata).</summary>
        public SortedSet<string> Families { get; } = new(StringComparer.Ordinal);

        /// <summary>Rows that pass <paramref name="filter"/> (all when null).</summary>
        public int CountSelected(SeriesTimeFilter? filter)
        {
            if (filter is null)
            {
                return Count;
            }

            int selected = 0;
            foreach (WriteBatch batch in _batches)
            {
                ReadOnlySpan<ulong> series = batch.SeriesIds;
                ReadOnlySpan<long> times = batch.Timestamps;
                for (int r = 0; r < batch.Count; r++)
                {
                    if (Selects(filter, series[r], times[r]))
                    {
                        selected++;
                    }
                }
            }

            return selected;
        }

        /// <summary>Copies the keys and versions of the selected rows; with a filter, also their global row numbers.</summary>
        public void CollectKeys(SeriesTimeFilter? filter, ulong[] series, long[] times, long[] versions, int[]? rows)
        {
            if (filter is null)
            {
                for (int b = 0; b < _batches.Count; b++)
                {
                    int at = _starts[b];
                    _batches[b].SeriesIds.CopyTo(series.AsSpan(at));
                    _batches[b].Timestamps.CopyTo(times.AsSpan(at));
                    _batches[b].Versions.CopyTo(versions.AsSpan(at));
                }

                return;
            }

            int next = 0;
            for (int b = 0; b < _batches.Count; b++)
            {
                WriteBatch batch = _batches[b];
                ReadOnlySpan<ulong> batchSeries = batch.SeriesIds;
                ReadOnlySpan<long> batchTimes = batch.Timestamps;
                ReadOnlySpan<long> batchVersions = batch.Versions;
                for (int r = 0; r < batch.Count; r++)
                {
                    if (Selects(filter, batchSeries[r], batchTimes[r]))
                    {
                        series[next] = batchSeries[r];
                        times[next] = batchTimes[r];
                        versions[next] = batchVersions[r];
                        rows![next] = _starts[b] + r;
                        next++;
                    }
                }
            }
        }

        public SubjectColumns SubjectOfRow(int row) => _subjects.Count == 1 ? _subjects[0] : _subjectOfBatch[BatchOf(row)];

        /// <summary>Appends column <paramref name="column"/> of <paramref name="subject"/> for sorted rows first..first+count to <paramref name="target"/>.</summary>
        public void Gather(SubjectColumns subject, int column, SortedRows sorted, int first, int count, ColumnBuffer target)
        {
            if (subject.NoNulls[column])
            {
                Span<long> values = target.AppendFixedWidthRowsUnfilled(count);
                if (subject.Sorted[column] is long[] inOrder)
                {
                    // Already in sorted position order: a copy, or a pass over increasing positions.
                    if (sorted.KeepsAll)
                    {
                        inOrder.AsSpan(first, count).CopyTo(values);
                    }
                    else
                    {
                        for (int i = 0; i < count; i++)
                        {
                            values[i] = inOrder[sorted.PositionAt(first + i)];
                        }
                    }

                    return;
                }

                long[] flat = subject.Flat[column]!;
                for (int i = 0; i < count; i++)
                {
                    values[i] = flat[SubjectRow(sorted.RowAt(first + i))];
                }

                return;
            }

            target.Reserve(count);
            bool determined = subject.SeriesDetermined is { } d && d[column];
            int next = 0;
            if (determined && subject.InEveryBatch[column] && count > 1)
            {
                // An entity tag every batch has: the block's rows (one series) all hold its first row's value, appended
                // once and shared by the rest without finding their batches.
                AppendRow(subject, column, sorted.RowAt(first), target);
                if (target.CanRepeatLastRow)
                {
                    target.AppendLastRowAgain(count - 1);
                    return;
                }

                next = 1; // a null or empty value: row by row
            }

            for (; next < count; next++)
            {
                int row = sorted.RowAt(first + next);
                if (determined && next > 0 && target.CanRepeatLastRow && ColumnOf(subject, column, row, out _) >= 0)
                {
                    // An entity tag of the block's series: the value just appended, shared without reading the row.
                    target.AppendLastRowAgain();
                }
                else
                {
                    AppendRow(subject, column, row, target);
                }
            }
        }

        // One row's value of a byte column from its batch (null when the batch was written before the column existed).
        private void AppendRow(SubjectColumns subject, int column, int row, ColumnBuffer target)
        {
            int at = ColumnOf(subject, column, row, out int batch);
            if (at < 0)
            {
                target.AppendNull();
            }
            else
            {
                target.AppendFrom(_batches[batch].Columns[at], row - _starts[batch]);
            }
        }

        // Where a row's batch keeps a column of the subject (-1: the batch was written before the column existed).
        private int ColumnOf(SubjectColumns subject, int column, int row, out int batch)
        {
            batch = BatchOf(row);
            return subject.Map[batch]![column];
        }

        // Which columns every batch of the subject has, and whether its rows are alike within a series (see
        // SubjectColumns.SeriesRowsAlike).
        private static void MarkColumnsInEveryBatch(SubjectColumns subject)
        {
            int columns = subject.Columns.Count;
            bool[] inEvery = new bool[columns];
            inEvery.AsSpan().Fill(true);
            int[]? previous = null;
            foreach (int[]? map in subject.Map)
            {
                if (map is null || ReferenceEquals(map, previous))
                {
                    continue; // another subject's batch, or the same columns as the batch before
                }

                previous = map;
                for (int c = 0; c < columns; c++)
                {
                    inEvery[c] &= map[c] >= 0;
                }
            }

            subject.InEveryBatch = inEvery;
            ulong onePerBlock = 0;
            for (int c = 0; c < Math.Min(columns, 64); c++)
            {
                if (inEvery[c] && subject.SeriesDetermined is { } determined && determined[c])
                {
                    onePerBlock |= 1UL << c;
                }
            }

            subject.OnePerBlockMask = onePerBlock;
            bool alike = !subject.FixedWidth;
            for (int c = 0; c < columns && alike; c++)
            {
                alike = !ColumnValueTypes.IsBytes(subject.Columns[c].Type) || (inEvery[c] && subject.SeriesDetermined is { } d && d[c]);
            }

            subject.SeriesRowsAlike = alike;
        }

        // The entity tag columns (EntityTagColumns: the rule a WAL record leaves them out by, too).
        private static void MarkSeriesDetermined(SubjectColumns subject, IReadOnlyList<string>? entityTags)
        {
            if (EntityTagColumns.Find(subject.Columns, entityTags) is { } determined)
            {
                subject.SeriesDetermined = determined;
                subject.SeriesLengths = new int[subject.Columns.Count];
            }
        }

        /// <summary>Uncompressed size of a row in a block of <paramref name="subject"/>, as <see cref="Block.UncompressedSize"/> counts it.</summary>
        public long RowBytes(SubjectColumns subject, int row)
        {
            int batch = BatchOf(row);
            int local = row - _starts[batch];
            int[] map = subject.Map[batch]!;
            bool[]? determined = subject.SeriesDetermined;
            long size = 16;
            for (int c = 0; c < subject.Columns.Count; c++)
            {
                if (!ColumnValueTypes.IsBytes(subject.Columns[c].Type))
                {
                    size += 8;
                }
                else if (map[c] < 0)
                {
                    size += 4;
                }
                else if (determined is not null && determined[c] && subject.SeriesLengths[c] >= 0)
                {
                    // The series' value, measured at its first row: the rows of a series come from many batches, and
                    // reading each one's bytes again (with the gather's reads) was 3.7 % of a silo's write-path profile.
                    size += 4 + subject.SeriesLengths[c];
                }
                else
                {
                    int length = Math.Max(0, _batches[batch].Columns[map[c]].GetBytes(local).Length);
                    if (determined is not null && determined[c])
                    {
                        subject.SeriesLengths[c] = length;
                    }

                    size += 4 + length;
                }
            }

            return size;
        }

        public void Dispose()
        {
            foreach (SubjectColumns subject in _subjects)
            {
                ReturnAll(subject.Flat);
                if (_slots is null)
                {
                    ReturnAll(subject.Sorted); // its own targets; shared slots are returned once, below
                }
            }

            if (_slots is not null)
            {
                ReturnAll(_slots);
            }

            if (_subjectRowOf is not null)
            {
                ArrayPool<int>.Shared.Return(_subjectRowOf);
            }

            if (_batchOfRow is not null)
            {
                ArrayPool<int>.Shared.Return(_batchOfRow);
            }
        }

        /// <summary>
        /// The sorter's payloads: with one subject, its flat columns (indexed by row), each with a pooled target
        /// (indexed by sorted position, kept as <see cref="SubjectColumns.Sorted"/> until disposed). With several
        /// subjects, whose flat columns would be indexed by subject row, slot k holds every subject's k-th number
        /// column without nulls in one array indexed by row (each row its own subject's value), sorted with the keys
        /// the same way: a block, one series of one subject, is then a run of sorted positions copied as it is, not
        /// gathered row by row through the row's subject position (a shard's buffer holds all of its group's measures).
        /// </summary>
        public (long[][] Sources, long[][] Targets) PrepareSortedColumns()
        {
            if (_subjects.Count != 1)
            {
                return PrepareSortedSlots();
            }

            SubjectColumns subject = _subjects[0];
            var sources = new List<long[]>();
            var targets = new List<long[]>();
            for (int c = 0; c < subject.Flat.Length; c++)
            {
                if (subject.Flat[c] is long[] flat)
                {
                    long[] target = ArrayPool<long>.Shared.Rent(Math.Max(1, Count));
                    subject.Sorted[c] = target;
                    sources.Add(flat);
                    targets.Add(target);
                }
            }

            return ([.. sources], [.. targets]);
        }

        private (long[][] Sources, long[][] Targets) PrepareSortedSlots()
        {
            int slots = 0;
            foreach (SubjectColumns subject in _subjects)
            {
                slots = Math.Max(slots, CountNoNulls(subject));
            }

            if (slots == 0)
            {
                return ([], []);
            }

            long[][] sources = new long[slots][];
            long[][] targets = new long[slots][];
            _slots = new long[2 * slots][];
            for (int k = 0; k < slots; k++)
            {
                _slots[2 * k] = sources[k] = ArrayPool<long>.Shared.Rent(Math.Max(1, Count));
                _slots[(2 * k) + 1] = targets[k] = ArrayPool<long>.Shared.Rent(Math.Max(1, Count));
            }

            foreach (SubjectColumns subject in _subjects)
            {
                for (int c = 0, k = 0; c < subject.NoNulls.Length; c++)
                {
                    if (subject.NoNulls[c])
                    {
                        subject.Sorted[c] = targets[k++];
                    }
                }
            }

            // Each batch's values at its rows; rows of a subject with fewer such columns leave a slot's value unset,
            // and nothing reads it.
            for (int b = 0; b < _batches.Count; b++)
            {
                SubjectColumns subject = _subjectOfBatch[b];
                int[] map = subject.Map[b]!;
                for (int c = 0, k = 0; c < subject.NoNulls.Length; c++)
                {
                    if (!subject.NoNulls[c])
                    {
                        continue;
                    }

                    ColumnBuffer values = _batches[b].Columns[map[c]];
                    ReadOnlySpan<long> bits = values.Type == ColumnValueType.Float64 ? MemoryMarshal.Cast<double, long>(values.Float64Values) : values.Int64Values;
                    bits.CopyTo(sources[k++].AsSpan(_starts[b]));
                }
            }

            return (sources, targets);
        }

        private static int CountNoNulls(SubjectColumns subject)
        {
            int count = 0;
            foreach (bool noNulls in subject.NoNulls)
            {
                count += noNulls ? 1 : 0;
            }

            return count;
        }

        private static void ReturnAll(long[]?[] arrays)
        {
            foreach (long[]? array in arrays)
            {
                if (array is not null)
                {
                    ArrayPool<long>.Shared.Return(array);
                }
            }
        }

        private static bool Selects(SeriesTimeFilter filter, ulong series, long time) =>
            time >= filter.MinTimestamp && time <= filter.MaxTimestamp && filter.IncludesSeries(series);

        private static IEnumerable<string> FamiliesOf(List<SubjectColumns> subjects)
        {
            foreach (SubjectColumns subject in subjects)
            {
                foreach ((string? family, _, _) in subject.Columns)
                {
                    if (family is not null)
                    {
                        yield return family;
                    }
                }
            }
        }

        private static bool SameColumns(WriteBatch a, WriteBatch b)
        {
            IReadOnlyList<ColumnBuffer> x = a.Columns;
            IReadOnlyList<ColumnBuffer> y = b.Columns;
            if (x.Count != y.Count)
            {
                return false;
            }

            for (int c = 0; c < x.Count; c++)
            {
                if (x[c].Type != y[c].Type || x[c].Name != y[c].Name || x[c].Family != y[c].Family)
                {
                    return false;
                }
            }

            return true;
        }

        private static int[] MapColumns(SubjectColumns subject, WriteBatch batch)
        {
            int[] map = new int[subject.Columns.Count];
            for (int c = 0; c < map.Length; c++)
            {
                map[c] = batch.FindColumn(subject.Columns[c].Family, subject.Columns[c].Name);
            }

            return map;
        }

        private int SubjectRow(int row) => _subjectRowOf is null ? row : _subjectRowOf[row];

        private void PrepareFlatColumns(SubjectColumns subject, bool keepFlat)
        {
            int columns = subject.Columns.Count;
            subject.NoNulls = new bool[columns];
            subject.Flat = new long[]?[columns];
            subject.Sorted = new long[]?[columns];
            subject.FixedWidth = true;
            subject.FixedRowBytes = 16L + (8L * columns);
            for (int c = 0; c < columns; c++)
            {
                ColumnValueType type = subject.Columns[c].Type;
                if (ColumnValueTypes.IsBytes(type))
                {
                    subject.FixedWidth = false;
                    continue;
                }

                if (!EveryBatchHasWithoutNulls(subject, c))
                {
                    continue;
                }

                subject.NoNulls[c] = true;
                if (!keepFlat)
                {
                    continue;
                }

                // Rows of the subject in batch order: the flat index of a row is its subject row.
                long[] flat = ArrayPool<long>.Shared.Rent(Math.Max(1, subject.RowCount));
                int at = 0;
                for (int b = 0; b < _batches.Count; b++)
                {
                    if (subject.Map[b] is int[] map)
                    {
                        ColumnBuffer values = _batches[b].Columns[map[c]];
                        ReadOnlySpan<long> bits = type == ColumnValueType.Float64 ? MemoryMarshal.Cast<double, long>(values.Float64Values) : values.Int64Values;
                        bits.CopyTo(flat.AsSpan(at));
                        at += _batches[b].Count;
                    }
                }

                subject.Flat[c] = flat;
            }
        }

        private bool EveryBatchHasWithoutNulls(SubjectColumns subject, int column)
        {
            for (int b = 0; b < _batches.Count; b++)
            {
                if (subject.Map[b] is int[] map && (map[column] < 0 || _batches[b].Columns[map[column]].NullCount > 0))
                {
                    return false;
                }
            }

            return true;
        }

        private int BatchOf(int row)
        {
            if (_batchOfRow is null)
            {
                _batchOfRow = ArrayPool<int>.Shared.Rent(Math.Max(1, Count));
                for (int b = 0; b < _batches.Count; b++)
                {
                    _batchOfRow.AsSpan(_starts[b], _starts[b + 1] - _starts[b]).Fill(b);
                }
            }

            return _batchOfRow[row];
        }
    }
}
