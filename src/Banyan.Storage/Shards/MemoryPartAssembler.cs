using System.Buffers;
using Banyan.Storage.Columns;
using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Storage.Shards;

/// <summary>
/// Builds one memory part straight from a shard's buffered write batches: keys gathered and sorted
/// (<see cref="BatchSorter.SortKeys"/>), measures deduplicated, rows copied into blocks cut by the
/// block rules of <see cref="MemoryPart.Build"/>. The batches are never concatenated into one big
/// batch and no sorted copy of them is made: a value goes from its batch (or a flat pooled copy of
/// its column) into its block.
/// </summary>
/// <remarks>
/// Takes the batches only when they all have the same columns (family, name, type, in order), which
/// is what one writer sends again and again; and for streams only when no two rows share a (series,
/// timestamp) key, since their order of arrival is not kept by the sort. Otherwise
/// <see cref="TryBuild"/> returns null and the caller takes the general path (concatenate, sort, build).
/// </remarks>
internal static class MemoryPartAssembler
{
    /// <summary>The memory part of <paramref name="batches"/> (in LSN order), or null when they do not qualify (see remarks).</summary>
    public static MemoryPart? TryBuild(IReadOnlyList<WriteBatch> batches, DataKind kind, PartWriterOptions options)
    {
        if (batches.Count == 0 || !SameColumns(batches))
        {
            return null;
        }

        int n = 0;
        foreach (WriteBatch batch in batches)
        {
            n = checked(n + batch.Count);
        }

        if (n == 0)
        {
            return null;
        }

        using var source = new BatchRows(batches);
        ulong[] series = ArrayPool<ulong>.Shared.Rent(n);
        long[] times = ArrayPool<long>.Shared.Rent(n);
        long[] versions = ArrayPool<long>.Shared.Rent(n);
        ulong[] sortedSeries = ArrayPool<ulong>.Shared.Rent(n);
        long[] sortedTimes = ArrayPool<long>.Shared.Rent(n);
        int[] order = ArrayPool<int>.Shared.Rent(n);
        int[] keep = ArrayPool<int>.Shared.Rent(n);
        try
        {
            for (int b = 0; b < batches.Count; b++)
            {
                int at = source.Start(b);
                batches[b].SeriesIds.CopyTo(series.AsSpan(at));
                batches[b].Timestamps.CopyTo(times.AsSpan(at));
                batches[b].Versions.CopyTo(versions.AsSpan(at));
            }

            BatchSorter.SortKeys(series.AsSpan(0, n), times.AsSpan(0, n), sortedSeries.AsSpan(0, n), sortedTimes.AsSpan(0, n), order.AsSpan(0, n));
            int kept = BatchSorter.Deduplicate(kind, sortedSeries.AsSpan(0, n), sortedTimes.AsSpan(0, n), order.AsSpan(0, n), versions.AsSpan(0, n), keep);
            if (kept < 0)
            {
                return null;
            }

            // Versions are often all equal (0 when the client sets none): then no gather is needed.
            bool constantVersion = versions.AsSpan(1, n - 1).IndexOfAnyExcept(versions[0]) < 0;
            var sorted = new SortedRows(sortedSeries, sortedTimes, order, versions, keep, kept, constantVersion);
            return Assemble(kind, batches[0].Columns, sorted, source, options);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(series);
            ArrayPool<long>.Shared.Return(times);
            ArrayPool<long>.Shared.Return(versions);
            ArrayPool<ulong>.Shared.Return(sortedSeries);
            ArrayPool<long>.Shared.Return(sortedTimes);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(keep);
        }
    }

    private static bool SameColumns(IReadOnlyList<WriteBatch> batches)
    {
        IReadOnlyList<ColumnBuffer> first = batches[0].Columns;
        for (int b = 1; b < batches.Count; b++)
        {
            IReadOnlyList<ColumnBuffer> columns = batches[b].Columns;
            if (columns.Count != first.Count)
            {
                return false;
            }

            for (int c = 0; c < columns.Count; c++)
            {
                if (columns[c].Type != first[c].Type || columns[c].Name != first[c].Name || columns[c].Family != first[c].Family)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static MemoryPart Assemble(DataKind kind, IReadOnlyList<ColumnBuffer> columns, SortedRows sorted, BatchRows source, PartWriterOptions options)
    {
        int maxRows = options.MaxRowsPerBlock(kind);
        bool fixedWidth = true;
        foreach (ColumnBuffer column in columns)
        {
            fixedWidth &= !ColumnValueTypes.IsBytes(column.Type);
        }

        // Same cuts as MemoryPart.Build: a new block at a series change, at the row limit, and once
        // the rows taken reach the size limit (the row that crosses it stays in the block).
        long fixedRowBytes = 16L + (8L * columns.Count);
        long fixedFit = Math.Max(1, (options.MaxBlockBytes + fixedRowBytes - 1) / fixedRowBytes);
        ReadOnlySpan<int> kept = sorted.Kept;
        var blocks = new List<Block>();
        int k = 0;
        while (k < kept.Length)
        {
            ulong seriesId = sorted.SeriesAt(k);
            long limit = fixedWidth ? Math.Min(maxRows, fixedFit) : maxRows;
            int end = k + 1;
            while (end < kept.Length && end - k < limit && sorted.SeriesAt(end) == seriesId)
            {
                end++;
            }

            if (!fixedWidth)
            {
                long bytes = 0;
                int cut = k;
                while (cut < end && bytes < options.MaxBlockBytes)
                {
                    bytes += source.RowBytes(sorted.RowAt(cut));
                    cut++;
                }

                end = cut;
            }

            blocks.Add(FillBlock(seriesId, columns, sorted, k, end - k, source));
            k = end;
        }

        return MemoryPart.FromBlocks(kind, [.. blocks], columns);
    }

    private static Block FillBlock(ulong seriesId, IReadOnlyList<ColumnBuffer> columns, SortedRows sorted, int first, int count, BatchRows source)
    {
        var block = new Block();
        block.Reset(seriesId);
        foreach (ColumnBuffer column in columns)
        {
            block.AddColumnUnfilled(column.Family, column.Name, column.Type);
        }

        block.PrepareKeys(count, out Span<long> timestamps, out Span<long> versions);
        for (int i = 0; i < count; i++)
        {
            timestamps[i] = sorted.TimeAt(first + i);
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

        for (int c = 0; c < columns.Count; c++)
        {
            source.Gather(c, sorted, first, count, block.Columns[c]);
        }

        return block;
    }

    /// <summary>The sorted keys, and for each kept position the batch row it came from.</summary>
    private readonly struct SortedRows(ulong[] series, long[] times, int[] order, long[] versions, int[] kept, int keptCount, bool constantVersion)
    {
        public ReadOnlySpan<int> Kept => kept.AsSpan(0, keptCount);

        public bool ConstantVersion => constantVersion;

        public long FirstVersion => versions[0];

        public ulong SeriesAt(int k) => series[kept[k]];

        public long TimeAt(int k) => times[kept[k]];

        public int RowAt(int k) => order[kept[k]];

        public long VersionAt(int k) => versions[order[kept[k]]];
    }

    /// <summary>
    /// The rows of all batches numbered 0..Count-1 in batch order. Float64 and integer columns
    /// without nulls in every batch are copied once into a flat pooled array (a memory copy) so a
    /// gather is one indexed read; other columns are read from their batch, found by row.
    /// </summary>
    private sealed class BatchRows : IDisposable
    {
        private readonly IReadOnlyList<WriteBatch> _batches;
        private readonly int[] _starts;
        private readonly double[]?[] _flatDoubles;
        private readonly long[]?[] _flatLongs;
        private int[]? _batchOfRow;

        public BatchRows(IReadOnlyList<WriteBatch> batches)
        {
            _batches = batches;
            _starts = new int[batches.Count + 1];
            for (int b = 0; b < batches.Count; b++)
            {
                _starts[b + 1] = checked(_starts[b] + batches[b].Count);
            }

            int columns = batches[0].Columns.Count;
            _flatDoubles = new double[]?[columns];
            _flatLongs = new long[]?[columns];
            for (int c = 0; c < columns; c++)
            {
                ColumnValueType type = batches[0].Columns[c].Type;
                if (ColumnValueTypes.IsBytes(type) || !NoNulls(c))
                {
                    continue;
                }

                if (type == ColumnValueType.Float64)
                {
                    double[] flat = ArrayPool<double>.Shared.Rent(Math.Max(1, Count));
                    for (int b = 0; b < batches.Count; b++)
                    {
                        batches[b].Columns[c].Float64Values.CopyTo(flat.AsSpan(_starts[b]));
                    }

                    _flatDoubles[c] = flat;
                }
                else
                {
                    long[] flat = ArrayPool<long>.Shared.Rent(Math.Max(1, Count));
                    for (int b = 0; b < batches.Count; b++)
                    {
                        batches[b].Columns[c].Int64Values.CopyTo(flat.AsSpan(_starts[b]));
                    }

                    _flatLongs[c] = flat;
                }
            }
        }

        public int Count => _starts[^1];

        public int Start(int batch) => _starts[batch];

        /// <summary>Appends the column <paramref name="column"/> values of sorted rows first..first+count to <paramref name="target"/>.</summary>
        public void Gather(int column, SortedRows sorted, int first, int count, ColumnBuffer target)
        {
            if (_flatDoubles[column] is double[] doubles)
            {
                Span<double> values = target.PrepareFloat64Rows(count);
                for (int i = 0; i < count; i++)
                {
                    values[i] = doubles[sorted.RowAt(first + i)];
                }

                return;
            }

            if (_flatLongs[column] is long[] longs)
            {
                Span<long> values = target.PrepareInt64Rows(count);
                for (int i = 0; i < count; i++)
                {
                    values[i] = longs[sorted.RowAt(first + i)];
                }

                return;
            }

            target.Reserve(count);
            for (int i = 0; i < count; i++)
            {
                int row = sorted.RowAt(first + i);
                int batch = BatchOf(row);
                target.AppendFrom(_batches[batch].Columns[column], row - _starts[batch]);
            }
        }

        /// <summary>Uncompressed size of a row, as <see cref="Block.UncompressedSize"/> counts it.</summary>
        public long RowBytes(int row)
        {
            int batch = BatchOf(row);
            int local = row - _starts[batch];
            long size = 16;
            foreach (ColumnBuffer column in _batches[batch].Columns)
            {
                size += ColumnValueTypes.IsBytes(column.Type) ? 4 + Math.Max(0, column.GetBytes(local).Length) : 8;
            }

            return size;
        }

        public void Dispose()
        {
            foreach (double[]? flat in _flatDoubles)
            {
                if (flat is not null)
                {
                    ArrayPool<double>.Shared.Return(flat);
                }
            }

            foreach (long[]? flat in _flatLongs)
            {
                if (flat is not null)
                {
                    ArrayPool<long>.Shared.Return(flat);
                }
            }

            if (_batchOfRow is not null)
            {
                ArrayPool<int>.Shared.Return(_batchOfRow);
            }
        }

        private bool NoNulls(int column)
        {
            foreach (WriteBatch batch in _batches)
            {
                if (batch.Columns[column].NullCount > 0)
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
