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
/// already in order after the scatter and are only checked; a range of one series whose rows
/// arrived nearly in order (concurrent writers commit batches a little out of order) is finished by
/// insertion, a few moves per late row. This costs a few passes over the keys
/// instead of a comparison sort of the whole buffer (about 20 compares and swaps per row for a
/// million rows); buckets that skewed ids make large fall back to <see cref="MemoryExtensions.Sort{TKey, TValue}(Span{TKey}, Span{TValue})"/>.
/// A seal's sort of <see cref="TwoThreadRows"/> rows or more runs on two threads (<see cref="TwoThreadSort"/>), with
/// the same result.
/// </remarks>
internal static partial class BatchSorter
{
    // Ranges up to this size are finished with an insertion sort (in order already: one pass).
    private const int InsertionSortLimit = 24;

    // At most 2^11 buckets per pass: the scatter's 3 × 2,048 write positions stay in the L2 cache.
    private const int MaxDigitBits = 11;

    // Ranges longer than this after the first pass (skewed ids) go to a comparison sort.
    private const int MaxSecondPassRows = 1 << 16;

    // Rows from which a sort takes a second thread: below it the hand-off (a pool thread woken, about as long as
    // sorting a few thousand rows) costs more than it saves.
    internal const int TwoThreadRows = 1 << 15;

    private readonly record struct Scratch(ulong[] Series, long[] Times, int[] Order);

    /// <summary>
    /// Picks the measure rows to keep from keys sorted by <see cref="SortKeys(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{ulong}, Span{long}, Span{int})"/>: writes their sorted
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
    /// <see cref="SortKeys(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{ulong}, Span{long}, Span{int})"/>, which leaves them adjacent but in no promised order: stream rows of one
    /// series and timestamp are returned in the order they were written, as a merge of parts keeps them.
    /// Returns false (nothing to do) when no two keys are equal, which one pass checks.
    /// </summary>
    internal static bool OrderEqualKeysByArrival(ReadOnlySpan<ulong> series, ReadOnlySpan<long> times, Span<int> order) =>
        OrderEqualKeysByArrival(series, times, order, [], []);

    /// <summary>
    /// <see cref="OrderEqualKeysByArrival(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{int})"/> for
    /// keys sorted with payloads: the values of a run put back in arrival order are read again from
    /// their sources, so <c>payloadTargets[p][k]</c> stays <c>payloadSources[p][order[k]]</c>.
    /// </summary>
    internal static bool OrderEqualKeysByArrival(ReadOnlySpan<ulong> series, ReadOnlySpan<long> times, Span<int> order, ReadOnlySpan<long[]> payloadSources, ReadOnlySpan<long[]> payloadTargets)
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
                    for (int p = 0; p < payloadSources.Length; p++)
                    {
                        for (int k = start; k < i; k++)
                        {
                            payloadTargets[p][k] = payloadSources[p][order[k]];
                        }
                    }
                }
            }

            start = i;
        }

        return any;
    }

    /// <summary>
    /// Writes the keys in (series, timestamp) order to <paramref name="sortedSeries"/> and
    /// <paramref name="sortedTimes"/>, and for each position the source row to <paramref name="order"/>.
    /// Rows with equal keys end up adjacent, in no promised order (see <see cref="OrderEqualKeysByArrival(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{int})"/>).
    /// </summary>
    internal static void SortKeys(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order) =>
        SortKeys(seriesIds, timestamps, sortedSeries, sortedTimes, order, [], []);

    /// <summary>
    /// <see cref="SortKeys(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{ulong}, Span{long}, Span{int})"/>,
    /// and moves 8-byte values with their keys: afterwards <c>payloadTargets[p][k]</c> is
    /// <c>payloadSources[p][order[k]]</c> for every position k. The values go through the same two
    /// steps as the keys (the scatter into buckets, then each bucket's order in cache), so a column is
    /// transposed from arrival order into key order without a read per row at a random place in the
    /// source, which a gather through <paramref name="order"/> afterwards costs (a cache miss per row
    /// for time-major input).
    /// </summary>
    internal static void SortKeys(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order, ReadOnlySpan<long[]> payloadSources, ReadOnlySpan<long[]> payloadTargets) =>
        SortKeys(seriesIds, timestamps, sortedSeries, sortedTimes, order, payloadSources, payloadTargets, twoThreads: false);

    /// <summary>
    /// <see cref="SortKeys(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{ulong}, Span{long}, Span{int}, ReadOnlySpan{long[]}, ReadOnlySpan{long[]})"/>
    /// on this thread alone or, with <paramref name="twoThreads"/>, on this thread and a thread-pool thread (see
    /// <see cref="TwoThreadSort"/>); the result is the same either way. Two threads only where the caller may wait for
    /// the pool thread's last range: a seal (on the thread pool), never a read on a grain's turn.
    /// </summary>
    internal static void SortKeys(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order, ReadOnlySpan<long[]> payloadSources, ReadOnlySpan<long[]> payloadTargets, bool twoThreads)
    {
        if (payloadSources.Length != payloadTargets.Length)
        {
            throw new ArgumentException("bug: every payload needs a source and a target", nameof(payloadTargets));
        }

        int n = seriesIds.Length;
        if (n == 0)
        {
            return;
        }

        if (twoThreads)
        {
            TwoThreadSort.Run(seriesIds, timestamps, sortedSeries, sortedTimes, order, payloadSources, payloadTargets);
            return;
        }

        // First pass: from the input straight into the output, by the top bits.
        int bits = DigitBits(n, 64);
        int shift = 64 - bits;
        int buckets = 1 << bits;
        int[] counts = ArrayPool<int>.Shared.Rent(buckets + 1);
        Scratch scratch = RentScratch();
        try
        {
            Span<int> next = counts.AsSpan(0, buckets + 1);
            next.Clear();
            CountDigits(seriesIds, shift, next[1..]);
            for (int b = 1; b <= buckets; b++)
            {
                next[b] += next[b - 1];
            }

            // next[b] is where bucket b starts; the scatter advances it to where bucket b ends, which
            // is where bucket b + 1 starts. Stable: a bucket keeps arrival order.
            Scatter(seriesIds, timestamps, sortedSeries, sortedTimes, order, next, shift, 0, n, payloadSources, payloadTargets);
            FinishBuckets(sortedSeries, sortedTimes, order, next[..buckets], 0, buckets, 0, shift, scratch, payloadTargets);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
            ReturnScratch(scratch);
        }
    }

    /// <summary>Whether a sort of <paramref name="rows"/> rows gains from a second thread (and the machine has one).</summary>
    internal static bool UsesTwoThreads(int rows) => rows >= TwoThreadRows && Environment.ProcessorCount > 1;

    private static Scratch RentScratch() => new(ArrayPool<ulong>.Shared.Rent(MaxSecondPassRows), ArrayPool<long>.Shared.Rent(MaxSecondPassRows), ArrayPool<int>.Shared.Rent(MaxSecondPassRows));

    private static void ReturnScratch(Scratch scratch)
    {
        ArrayPool<ulong>.Shared.Return(scratch.Series);
        ArrayPool<long>.Shared.Return(scratch.Times);
        ArrayPool<int>.Shared.Return(scratch.Order);
    }

    // Adds to counts[d] the rows whose top digit (the bits above `shift`) is d.
    private static void CountDigits(ReadOnlySpan<ulong> seriesIds, int shift, Span<int> counts)
    {
        foreach (ulong id in seriesIds)
        {
            counts[(int)(id >> shift)]++;
        }
    }

    // The first pass's scatter of rows from..to-1: each row's key (and values) to the next free place of its bucket,
    // next[d] advanced past it. Rows are taken in order, so a bucket keeps arrival order; two calls over disjoint row
    // ranges with disjoint places may run at once.
    private static void Scatter(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order, Span<int> next, int shift, int from, int to, ReadOnlySpan<long[]> payloadSources, ReadOnlySpan<long[]> payloadTargets)
    {
        if (payloadSources.IsEmpty)
        {
            for (int i = from; i < to; i++)
            {
                int at = next[(int)(seriesIds[i] >> shift)]++;
                sortedSeries[at] = seriesIds[i];
                sortedTimes[at] = timestamps[i];
                order[at] = i;
            }
        }
        else
        {
            ScatterWithPayloads(seriesIds, timestamps, sortedSeries, sortedTimes, order, next, shift, from, to, payloadSources, payloadTargets);
        }
    }

    // Finishes buckets first..end-1 after the scatter: bucket b ends at ends[b - first] and the first starts at row
    // `start`. Buckets are disjoint, so runs over disjoint bucket ranges (each with its own scratch) may go at once.
    private static void FinishBuckets(Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order, ReadOnlySpan<int> ends, int first, int end, int start, int shift, Scratch scratch, ReadOnlySpan<long[]> payloadTargets)
    {
        int bucketStart = start;
        for (int b = first; b < end; b++)
        {
            int bucketEnd = ends[b - first];
            int length = bucketEnd - bucketStart;
            if (length > 1)
            {
                Span<ulong> bucketSeries = sortedSeries.Slice(bucketStart, length);
                Span<long> bucketTimes = sortedTimes.Slice(bucketStart, length);
                Span<int> bucketOrder = order.Slice(bucketStart, length);
                if (payloadTargets.IsEmpty)
                {
                    SortRange(bucketSeries, bucketTimes, bucketOrder, shift, scratch);
                }
                else if (!IsSorted(bucketSeries, bucketTimes))
                {
                    SortRangeWithPayloads(bucketSeries, bucketTimes, bucketOrder, bucketStart, shift, scratch, payloadTargets);
                }
            }

            bucketStart = bucketEnd;
        }
    }

    // The first pass's scatter when values move with the keys: each row's values go to its key's
    // place in its bucket (sequential reads, one write stream per bucket, as for the keys).
    private static void ScatterWithPayloads(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order, Span<int> next, int shift, int from, int to, ReadOnlySpan<long[]> sources, ReadOnlySpan<long[]> targets)
    {
        ReadOnlySpan<long> source0 = sources[0].AsSpan(0, to);
        Span<long> target0 = targets[0].AsSpan(0, sortedSeries.Length);
        for (int i = from; i < to; i++)
        {
            int at = next[(int)(seriesIds[i] >> shift)]++;
            sortedSeries[at] = seriesIds[i];
            sortedTimes[at] = timestamps[i];
            order[at] = i;
            target0[at] = source0[i];
            for (int p = 1; p < sources.Length; p++)
            {
                targets[p][at] = sources[p][i];
            }
        }
    }

    // Finishes a bucket whose values moved with its keys: the bucket is sorted with positions in it
    // (0..length-1) in place of rows, then the values and the rows are put in that order, in cache.
    private static void SortRangeWithPayloads(Span<ulong> series, Span<long> times, Span<int> order, int start, int shift, Scratch scratch, ReadOnlySpan<long[]> targets)
    {
        int length = series.Length;
        int[] rows = ArrayPool<int>.Shared.Rent(length);
        long[] values = ArrayPool<long>.Shared.Rent(length);
        try
        {
            order.CopyTo(rows);
            for (int i = 0; i < length; i++)
            {
                order[i] = i;
            }

            SortRange(series, times, order, shift, scratch);
            foreach (long[] target in targets)
            {
                Span<long> bucket = target.AsSpan(start, length);
                for (int i = 0; i < length; i++)
                {
                    values[i] = bucket[order[i]];
                }

                values.AsSpan(0, length).CopyTo(bucket);
            }

            for (int i = 0; i < length; i++)
            {
                order[i] = rows[order[i]];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rows);
            ArrayPool<long>.Shared.Return(values);
        }
    }

    // Bits of the next digit for a range of `length` rows with `remaining` unsorted key bits: buckets
    // of about 16 rows, at most 2^11 of them so the scatter's write positions stay in cache.
    private static int DigitBits(int length, int remaining) => Math.Min(remaining, Math.Clamp(BitOperations.Log2((uint)length) - 4, 1, MaxDigitBits));

    // Finishes a range whose series ids agree above bit `shift`: in cache, by another bucket pass on
    // the next bits when it is long, by insertion when short, and by a comparison sort when the ids
    // do not spread (one series, or more rows than the scratch holds).
    private static void SortRange(Span<ulong> series, Span<long> times, Span<int> order, int shift, Scratch scratch)
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

        if (series[0] == series[^1] && AllSame(series))
        {
            // One series: its rows arrive nearly in time order (concurrent writers commit a few
            // batches out of order), so an insertion sort does little more than check them.
            SortTimes(times, order);
            return;
        }

        if (length > MaxSecondPassRows || shift == 0)
        {
            SortBucket(series, times, order);
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
                SortRange(series[start..end], times[start..end], order[start..end], digitShift, scratch);
            }

            start = end;
        }
    }

    private static bool AllSame(ReadOnlySpan<ulong> series) => series.IndexOfAnyExcept(series[0]) < 0;

    // Comparison sort of a range the bucket passes cannot spread (skewed ids): by series, carrying
    // each row's position so its time and row follow, then each series' run by time.
    private static void SortBucket(Span<ulong> series, Span<long> times, Span<int> order)
    {
        int length = series.Length;
        int[] positions = ArrayPool<int>.Shared.Rent(length);
        long[] oldTimes = ArrayPool<long>.Shared.Rent(length);
        int[] oldOrder = ArrayPool<int>.Shared.Rent(length);
        try
        {
            for (int i = 0; i < length; i++)
            {
                positions[i] = i;
            }

            times.CopyTo(oldTimes);
            order.CopyTo(oldOrder);
            series.Sort(positions.AsSpan(0, length));
            for (int i = 0; i < length; i++)
            {
                times[i] = oldTimes[positions[i]];
                order[i] = oldOrder[positions[i]];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(positions);
            ArrayPool<long>.Shared.Return(oldTimes);
            ArrayPool<int>.Shared.Return(oldOrder);
        }

        for (int start = 0, i = 1; i <= length; i++)
        {
            if (i == length || series[i] != series[start])
            {
                if (i - start > 1)
                {
                    SortTimes(times.Slice(start, i - start), order.Slice(start, i - start));
                }

                start = i;
            }
        }
    }

    // Sorts one series' times, carrying rows: by insertion while the rows are nearly in order (each
    // row moved past a few others), by a comparison sort once the moves exceed a few per row.
    private static void SortTimes(Span<long> times, Span<int> order)
    {
        long budget = 8L * times.Length;
        for (int i = 1; i < times.Length; i++)
        {
            long t = times[i];
            if (t >= times[i - 1])
            {
                continue;
            }

            int o = order[i];
            int j = i - 1;
            while (j >= 0 && times[j] > t)
            {
                times[j + 1] = times[j];
                order[j + 1] = order[j];
                j--;
            }

            times[j + 1] = t;
            order[j + 1] = o;
            budget -= i - j;
            if (budget < 0)
            {
                times.Sort(order);
                return;
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
