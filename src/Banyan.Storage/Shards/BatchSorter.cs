using System.Buffers;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Shards;

/// <summary>
/// Puts a concatenation of write batches into (series, timestamp) order before a memory part is
/// built from it, keeping for measures only the winning row of each key: the highest version, and
/// on equal versions the row written last. Sorting primitive key arrays with
/// <see cref="Array.Sort{TKey, TValue}(TKey[], TValue[])"/> is several times faster than sorting
/// rows through a comparer, and the memory part then takes its in-order fast path.
/// </summary>
internal static class BatchSorter
{
    /// <summary>
    /// Returns the rows of <paramref name="batch"/> (rows in write order) sorted, measures deduplicated;
    /// returns <paramref name="batch"/> itself when it is a stream batch with repeated (series,
    /// timestamp) keys, which the memory part orders by itself.
    /// </summary>
    public static WriteBatch Sort(WriteBatch batch)
    {
        int n = batch.Count;
        if (n < 2)
        {
            return batch;
        }

        ulong[] series = ArrayPool<ulong>.Shared.Rent(n);
        long[] times = ArrayPool<long>.Shared.Rent(n);
        int[] order = ArrayPool<int>.Shared.Rent(n);
        int[] keep = ArrayPool<int>.Shared.Rent(n);
        try
        {
            batch.SeriesIds.CopyTo(series);
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
            }

            Array.Sort(series, order, 0, n);
            ReadOnlySpan<long> sourceTimes = batch.Timestamps;
            for (int i = 0; i < n; i++)
            {
                times[i] = sourceTimes[order[i]];
            }

            for (int start = 0, i = 1; i <= n; i++)
            {
                if (i == n || series[i] != series[start])
                {
                    if (i - start > 1)
                    {
                        Array.Sort(times, order, start, i - start);
                    }

                    start = i;
                }
            }

            ReadOnlySpan<long> versions = batch.Versions;
            int kept = 0;
            bool duplicates = false;
            for (int start = 0, i = 1; i <= n; i++)
            {
                if (i < n && series[i] == series[start] && times[i] == times[start])
                {
                    continue;
                }

                if (i - start == 1)
                {
                    keep[kept++] = order[start];
                }
                else if (batch.Kind == PartKind.Measure)
                {
                    int best = order[start];
                    for (int j = start + 1; j < i; j++)
                    {
                        int candidate = order[j];
                        if (versions[candidate] > versions[best] || (versions[candidate] == versions[best] && candidate > best))
                        {
                            best = candidate;
                        }
                    }

                    keep[kept++] = best;
                }
                else
                {
                    duplicates = true;
                    break;
                }

                start = i;
            }

            return duplicates ? batch : Gather(batch, keep.AsSpan(0, kept));
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(series);
            ArrayPool<long>.Shared.Return(times);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(keep);
        }
    }

    private static WriteBatch Gather(WriteBatch batch, ReadOnlySpan<int> rows)
    {
        int n = rows.Length;
        ulong[] series = new ulong[n];
        long[] times = new long[n];
        long[] versions = new long[n];
        ReadOnlySpan<ulong> sourceSeries = batch.SeriesIds;
        ReadOnlySpan<long> sourceTimes = batch.Timestamps;
        ReadOnlySpan<long> sourceVersions = batch.Versions;
        for (int i = 0; i < n; i++)
        {
            int row = rows[i];
            series[i] = sourceSeries[row];
            times[i] = sourceTimes[row];
            versions[i] = sourceVersions[row];
        }

        WriteBatch sorted = new(batch.Kind);
        foreach (ColumnBuffer column in batch.Columns)
        {
            sorted.AddColumn(column.Family, column.Name, column.Type);
        }

        sorted.AppendKeys(series, times, versions);
        IReadOnlyList<ColumnBuffer> sources = batch.Columns;
        for (int c = 0; c < sources.Count; c++)
        {
            ColumnBuffer source = sources[c];
            ColumnBuffer target = sorted.Columns[c];
            if (source.NullCount == 0 && source.Type == ColumnValueType.Float64)
            {
                double[] values = ArrayPool<double>.Shared.Rent(n);
                ReadOnlySpan<double> from = source.Float64Values;
                for (int i = 0; i < n; i++)
                {
                    values[i] = from[rows[i]];
                }

                target.AppendDoubles(values.AsSpan(0, n));
                ArrayPool<double>.Shared.Return(values);
            }
            else if (source.NullCount == 0 && ColumnValueTypes.IsInteger(source.Type))
            {
                long[] values = ArrayPool<long>.Shared.Rent(n);
                ReadOnlySpan<long> from = source.Int64Values;
                for (int i = 0; i < n; i++)
                {
                    values[i] = from[rows[i]];
                }

                target.AppendInt64s(values.AsSpan(0, n));
                ArrayPool<long>.Shared.Return(values);
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    target.AppendFrom(source, rows[i]);
                }
            }
        }

        return sorted;
    }
}
