using System.Buffers;
using System.Numerics;
namespace Banyan.Storage.Parts;

/// <summary>
/// Puts the keys of write batches into (series, timestamp) order before a memory part is built from
/// them (<see cref="MemoryPartBuilder"/>), keeping for measures only the winning row of each key: the
/// highest version, and on equal versions the row written last; stream rows of equal keys keep
/// their order of arrival.
/// </summary>
/// <remarks>
/// Series ids are xxHash64 values, so their top bits spread rows evenly: a counting pass over the
/// top 11 bits (a most-significant-digit radix step) cuts the rows into up to 2,048 buckets, and each
/// bucket is finished on its own, in cache, by a second pass on the next bits down to ranges of about
/// a series each. Rows of one series usually arrive
/// in time order (a scraper writes one timestamp for all series at a time), so most buckets are
/// already in order after the scatter and are only checked. This costs a few passes over the keys
/// instead of a comparison sort of the whole buffer (about 20 compares and swaps per row for a
/// million rows); buckets that skewed ids make large fall back to <see cref="MemoryExtensions.Sort{TKey, TValue}(Span{TKey}, Span{TValue})"/>.
/// </remarks>
internal static class BatchSorter
{
    // Ranges up to this size are finished with an insertion sort (in order already: one pass).
    private const int InsertionSortLimit = 24;

    // At most 2^11 buckets per pass: the scatter's 3 × 2,048 write positions stay in the L2 cache.
    private const int MaxDigitBits = 11;

    // Ranges longer than this after the first pass (skewed ids) go to a comparison sort.
    private const int MaxSecondPassRows = 1 << 16;

    private readonly record struct Scratch(ulong[] Series, long[] Times, int[] Order);

    /// <summary>
    /// Picks the measure rows to keep from keys sorted by <see cref="SortKeys"/>: writes their sorted
    /// positions to <paramref name="keep"/> and returns how many. Of equal keys the highest version
    /// wins, then the row written last (the higher row number). <paramref name="versionsByRow"/> is
    /// indexed by source row, as <paramref name="order"/> maps positions to rows.
    /// </summary>
    internal static int DeduplicateMeasures(ReadOnlySpan<ulong> series, ReadOnlySpan<long> times, ReadOnlySpan<int> order, ReadOnlySpan<long> versionsByRow, Span<int> keep)
    {
        int n = series.Length;
        int kept = 0;
        for (int start = 0, i = 1; i <= n; i++)
        {
            if (i < n && series[i] == series[start] && times[i] == times[start])
            {
                continue;
            }

            int best = start;
            for (int j = start + 1; j < i; j++)
            {
                long candidate = versionsByRow[order[j]];
                long winner = versionsByRow[order[best]];
                if (candidate > winner || (candidate == winner && order[j] > order[best]))
                {
                    best = j;
                }
            }

            keep[kept++] = best;
            start = i;
        }

        return kept;
    }

    /// <summary>
    /// Puts rows of equal keys back into arrival order (ascending source row) after
    /// <see cref="SortKeys"/>, which leaves them adjacent but in no promised order: stream rows of one
    /// series and timestamp are returned in the order they were written, as a merge of parts keeps them.
    /// Returns false (nothing to do) when no two keys are equal, which one pass checks.
    /// </summary>
    internal static bool OrderEqualKeysByArrival(ReadOnlySpan<ulong> series, ReadOnlySpan<long> times, Span<int> order)
    {
        bool any = false;
        int n = series.Length;
        for (int start = 0, i = 1; i <= n; i++)
        {
            if (i < n && series[i] == series[start] && times[i] == times[start])
            {
                continue;
            }

            if (i - start > 1)
            {
                any = true;
                Span<int> run = order[start..i];
                if (!IsAscending(run))
                {
                    run.Sort();
                }
            }

            start = i;
        }

        return any;
    }

    /// <summary>
    /// Writes the keys in (series, timestamp) order to <paramref name="sortedSeries"/> and
    /// <paramref name="sortedTimes"/>, and for each position the source row to <paramref name="order"/>.
    /// Rows with equal keys end up adjacent, in no promised order (see <see cref="OrderEqualKeysByArrival"/>).
    /// </summary>
    internal static void SortKeys(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order)
    {
        int n = seriesIds.Length;
        if (n == 0)
        {
            return;
        }

        // First pass: from the input straight into the output, by the top bits.
        int bits = DigitBits(n, 64);
        int shift = 64 - bits;
        int buckets = 1 << bits;
        int[] counts = ArrayPool<int>.Shared.Rent(buckets + 1);
        ulong[] scratchSeries = ArrayPool<ulong>.Shared.Rent(MaxSecondPassRows);
        long[] scratchTimes = ArrayPool<long>.Shared.Rent(MaxSecondPassRows);
        int[] scratchOrder = ArrayPool<int>.Shared.Rent(MaxSecondPassRows);
        try
        {
            Span<int> next = counts.AsSpan(0, buckets + 1);
            next.Clear();
            for (int i = 0; i < n; i++)
            {
                next[(int)(seriesIds[i] >> shift) + 1]++;
            }

            for (int b = 1; b <= buckets; b++)
            {
                next[b] += next[b - 1];
            }

            // next[b] is where bucket b starts; the scatter advances it to where bucket b ends, which
            // is where bucket b + 1 starts. Stable: a bucket keeps arrival order.
            for (int i = 0; i < n; i++)
            {
                int at = next[(int)(seriesIds[i] >> shift)]++;
                sortedSeries[at] = seriesIds[i];
                sortedTimes[at] = timestamps[i];
                order[at] = i;
            }

            var scratch = new Scratch(scratchSeries, scratchTimes, scratchOrder);
            int bucketStart = 0;
            for (int b = 0; b < buckets; b++)
            {
                int bucketEnd = next[b];
                int length = bucketEnd - bucketStart;
                if (length > 1)
                {
                    SortRange(sortedSeries.Slice(bucketStart, length), sortedTimes.Slice(bucketStart, length), order.Slice(bucketStart, length), shift, timestamps, scratch);
                }

                bucketStart = bucketEnd;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
            ArrayPool<ulong>.Shared.Return(scratchSeries);
            ArrayPool<long>.Shared.Return(scratchTimes);
            ArrayPool<int>.Shared.Return(scratchOrder);
        }
    }

    // Bits of the next digit for a range of `length` rows with `remaining` unsorted key bits: buckets
    // of about 16 rows, at most 2^11 of them so the scatter's write positions stay in cache.
    private static int DigitBits(int length, int remaining) => Math.Min(remaining, Math.Clamp(BitOperations.Log2((uint)length) - 4, 1, MaxDigitBits));

    // Finishes a range whose series ids agree above bit `shift`: in cache, by another bucket pass on
    // the next bits when it is long, by insertion when short, and by a comparison sort when the ids
    // do not spread (one series, or more rows than the scratch holds).
    private static void SortRange(Span<ulong> series, Span<long> times, Span<int> order, int shift, ReadOnlySpan<long> sourceTimes, Scratch scratch)
    {
        if (IsSorted(series, times))
        {
            return;
        }

        int length = series.Length;
        if (length <= InsertionSortLimit)
        {
            InsertionSort(series, times, order);
            return;
        }

        if (length > MaxSecondPassRows || shift == 0 || series[0] == series[^1] && AllSame(series))
        {
            SortBucket(series, times, order, sourceTimes);
            return;
        }

        int bits = DigitBits(length, shift);
        int digitShift = shift - bits;
        int mask = (1 << bits) - 1;
        Span<int> next = stackalloc int[(1 << MaxDigitBits) + 1];
        next = next[..((1 << bits) + 1)];
        next.Clear();
        for (int i = 0; i < length; i++)
        {
            next[(int)(series[i] >> digitShift & (ulong)mask) + 1]++;
        }

        for (int b = 1; b < next.Length; b++)
        {
            next[b] += next[b - 1];
        }

        Span<ulong> s2 = scratch.Series.AsSpan(0, length);
        Span<long> t2 = scratch.Times.AsSpan(0, length);
        Span<int> o2 = scratch.Order.AsSpan(0, length);
        for (int i = 0; i < length; i++)
        {
            int at = next[(int)(series[i] >> digitShift & (ulong)mask)]++;
            s2[at] = series[i];
            t2[at] = times[i];
            o2[at] = order[i];
        }

        s2.CopyTo(series);
        t2.CopyTo(times);
        o2.CopyTo(order);
        int start = 0;
        for (int b = 0; b < next.Length - 1; b++)
        {
            int end = next[b];
            if (end - start > 1)
            {
                // The scratch is free again: sub-ranges are finished one after another.
                SortRange(series[start..end], times[start..end], order[start..end], digitShift, sourceTimes, scratch);
            }

            start = end;
        }
    }

    private static bool AllSame(ReadOnlySpan<ulong> series) => series.IndexOfAnyExcept(series[0]) < 0;

    // Comparison sort of a range the bucket passes cannot spread: by series, then each series' run by time.
    private static void SortBucket(Span<ulong> series, Span<long> times, Span<int> order, ReadOnlySpan<long> sourceTimes)
    {
        series.Sort(order);
        for (int i = 0; i < order.Length; i++)
        {
            times[i] = sourceTimes[order[i]];
        }

        for (int start = 0, i = 1; i <= series.Length; i++)
        {
            if (i == series.Length || series[i] != series[start])
            {
                if (i - start > 1 && !IsSorted(times.Slice(start, i - start)))
                {
                    times.Slice(start, i - start).Sort(order.Slice(start, i - start));
                }

                start = i;
            }
        }
    }

    private static bool IsSorted(ReadOnlySpan<ulong> series, ReadOnlySpan<long> times)
    {
        for (int i = 1; i < series.Length; i++)
        {
            if (series[i] < series[i - 1] || (series[i] == series[i - 1] && times[i] < times[i - 1]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAscending(ReadOnlySpan<int> values)
    {
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] < values[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSorted(ReadOnlySpan<long> values)
    {
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] < values[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    private static void InsertionSort(Span<ulong> series, Span<long> times, Span<int> order)
    {
        for (int i = 1; i < series.Length; i++)
        {
            ulong s = series[i];
            long t = times[i];
            int o = order[i];
            int j = i - 1;
            while (j >= 0 && (series[j] > s || (series[j] == s && times[j] > t)))
            {
                series[j + 1] = series[j];
                times[j + 1] = times[j];
                order[j + 1] = order[j];
                j--;
            }

            series[j + 1] = s;
            times[j + 1] = t;
            order[j + 1] = o;
        }
    }
}
