using System.Buffers;

namespace Banyan.Storage.Parts;

internal static partial class BatchSorter
{
    /// <summary>
    /// <see cref="SortKeys(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{ulong}, Span{long}, Span{int}, ReadOnlySpan{long[]}, ReadOnlySpan{long[]}, bool)"/>
    /// on the calling thread and a thread-pool thread (<see cref="TwoThreadWork"/>), in the one-thread sort's three steps:
    /// each thread counts the top digits of half of the rows; each scatters its half, the first half's rows of a bucket
    /// placed before the second half's, so every bucket holds its rows in arrival order as the one-thread scatter leaves
    /// it; then the buckets, cut into ranges of about equal rows, are finished by whichever thread takes a range next,
    /// each thread with its own scratch. Every step writes what the one-thread sort writes, so the result is the same.
    /// A seal's sort was most of the seal, and while a seal runs its shard's writers may be waiting for the memory the
    /// flush after it gives back (docs/benchmarks.md, "A seal's sort on two threads").
    /// </summary>
    /// <remarks>
    /// The spans are pinned for the run and reached through pointers, since a span cannot be a field of the work the
    /// pool thread runs; <see cref="TwoThreadWork.Run"/> returns only when neither thread touches them any more.
    /// </remarks>
    private sealed unsafe class TwoThreadSort : ITwoThreadWork
    {
        // Bucket ranges of the last step: enough that one thread's share evens out when the other starts late.
        private const int FinishRanges = 16;

        private enum Step
        {
            Count,
            Scatter,
            Finish,
        }

        private readonly ulong* _seriesIds;
        private readonly long* _timestamps;
        private readonly ulong* _sortedSeries;
        private readonly long* _sortedTimes;
        private readonly int* _order;
        private readonly int _rows;
        private readonly int _half;
        private readonly int _shift;
        private readonly int _buckets;
        private readonly long[][] _payloadSources;
        private readonly long[][] _payloadTargets;

        // Per half: the rows of each bucket (Count), then the next place of each bucket (Scatter).
        private readonly int[] _first;
        private readonly int[] _second;

        // Where each bucket ends once scattered, and the first bucket of each range of the last step (and one past the end).
        private readonly int[] _ends;
        private readonly List<int> _ranges = [];
        private readonly Scratch _callerScratch;
        private readonly Scratch _helperScratch;
        private Step _step;

        private TwoThreadSort(ulong* seriesIds, long* timestamps, ulong* sortedSeries, long* sortedTimes, int* order, int rows, long[][] payloadSources, long[][] payloadTargets)
        {
            _seriesIds = seriesIds;
            _timestamps = timestamps;
            _sortedSeries = sortedSeries;
            _sortedTimes = sortedTimes;
            _order = order;
            _rows = rows;
            _half = rows / 2;
            _shift = 64 - DigitBits(rows, 64);
            _buckets = 1 << (64 - _shift);
            _payloadSources = payloadSources;
            _payloadTargets = payloadTargets;
            _first = ArrayPool<int>.Shared.Rent(_buckets);
            _second = ArrayPool<int>.Shared.Rent(_buckets);
            _ends = ArrayPool<int>.Shared.Rent(_buckets);
            _callerScratch = RentScratch();
            _helperScratch = RentScratch();
        }

        /// <summary>Sorts as the one-thread sort does; every span holds at least one row per key.</summary>
        public static void Run(ReadOnlySpan<ulong> seriesIds, ReadOnlySpan<long> timestamps, Span<ulong> sortedSeries, Span<long> sortedTimes, Span<int> order, ReadOnlySpan<long[]> payloadSources, ReadOnlySpan<long[]> payloadTargets)
        {
            int rows = seriesIds.Length;
            if (timestamps.Length < rows || sortedSeries.Length < rows || sortedTimes.Length < rows || order.Length < rows)
            {
                throw new ArgumentException("bug: every key span needs a place for each row", nameof(order));
            }

            fixed (ulong* series = seriesIds)
            fixed (long* times = timestamps)
            fixed (ulong* outSeries = sortedSeries)
            fixed (long* outTimes = sortedTimes)
            fixed (int* outOrder = order)
            {
                var sort = new TwoThreadSort(series, times, outSeries, outTimes, outOrder, rows, payloadSources.ToArray(), payloadTargets.ToArray());
                try
                {
                    sort.Sort();
                }
                finally
                {
                    sort.Return();
                }
            }
        }

        /// <inheritdoc />
        public void Run(int item, bool onHelper)
        {
            switch (_step)
            {
                case Step.Count:
                    (int from, int to) = HalfRows(item);
                    CountDigits(new ReadOnlySpan<ulong>(_seriesIds + from, to - from), _shift, HalfCounts(item));
                    break;
                case Step.Scatter:
                    (from, to) = HalfRows(item);
                    Scatter(Keys, Times, SortedSeries, SortedTimes, Order, HalfCounts(item), _shift, from, to, _payloadSources, _payloadTargets);
                    break;
                default:
                    int first = _ranges[item];
                    int end = _ranges[item + 1];
                    int start = first == 0 ? 0 : _ends[first - 1];
                    FinishBuckets(SortedSeries, SortedTimes, Order, _ends.AsSpan(first, end - first), first, end, start, _shift, onHelper ? _helperScratch : _callerScratch, _payloadTargets);
                    break;
            }
        }

        private ReadOnlySpan<ulong> Keys => new(_seriesIds, _rows);

        private ReadOnlySpan<long> Times => new(_timestamps, _rows);

        private Span<ulong> SortedSeries => new(_sortedSeries, _rows);

        private Span<long> SortedTimes => new(_sortedTimes, _rows);

        private Span<int> Order => new(_order, _rows);

        private (int From, int To) HalfRows(int item) => item == 0 ? (0, _half) : (_half, _rows);

        private Span<int> HalfCounts(int item) => (item == 0 ? _first : _second).AsSpan(0, _buckets);

        private void Sort()
        {
            _first.AsSpan(0, _buckets).Clear();
            _second.AsSpan(0, _buckets).Clear();
            _step = Step.Count;
            TwoThreadWork.Run(this, 2);

            // Bucket b: the first half's rows from its start, the second half's after them.
            int place = 0;
            for (int b = 0; b < _buckets; b++)
            {
                int firstRows = _first[b];
                int secondRows = _second[b];
                _first[b] = place;
                _second[b] = place + firstRows;
                place += firstRows + secondRows;
                _ends[b] = place;
            }

            _step = Step.Scatter;
            TwoThreadWork.Run(this, 2);

            // Ranges of whole buckets, each closed once it holds its share of the rows.
            int share = Math.Max(1, _rows / FinishRanges);
            int rangeStart = 0;
            _ranges.Add(0);
            for (int b = 0; b + 1 < _buckets; b++)
            {
                if (_ends[b] - rangeStart >= share)
                {
                    _ranges.Add(b + 1);
                    rangeStart = _ends[b];
                }
            }

            _ranges.Add(_buckets);
            _step = Step.Finish;
            TwoThreadWork.Run(this, _ranges.Count - 1);
        }

        private void Return()
        {
            ArrayPool<int>.Shared.Return(_first);
            ArrayPool<int>.Shared.Return(_second);
            ArrayPool<int>.Shared.Return(_ends);
            ReturnScratch(_callerScratch);
            ReturnScratch(_helperScratch);
        }
    }
}
