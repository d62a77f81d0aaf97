using Banyan.Storage.Parts;
using BenchmarkDotNet.Attributes;

namespace Banyan.Benchmarks;

/// <summary>
/// Sorting the keys of a shard's write buffer: 1 Mi rows arriving time-major (10,000 hashed series
/// × 105 timestamps, as the peer dataset is written), into (series, timestamp) order with the row
/// permutation. <see cref="BatchSorter.SortKeys(ReadOnlySpan{ulong}, ReadOnlySpan{long}, Span{ulong}, Span{long}, Span{int})"/> (bucket pass on the hash's top bits) against the
/// comparison sort it replaced (sort by series carrying the row index, then each series' run by time).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class BatchSorterBenchmarks
{
    private const int Series = 10_000;
    private const int Rows = 1 << 20;
    private readonly ulong[] _series = new ulong[Rows];
    private readonly long[] _times = new long[Rows];
    private readonly ulong[] _sortedSeries = new ulong[Rows];
    private readonly long[] _sortedTimes = new long[Rows];
    private readonly int[] _order = new int[Rows];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        ulong[] ids = new ulong[Series];
        for (int s = 0; s < Series; s++)
        {
            ids[s] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
        }

        for (int i = 0; i < Rows; i++)
        {
            _series[i] = ids[i % Series];
            _times[i] = i / Series * 10_000_000_000L;
        }
    }

    [Benchmark]
    public void BucketSort() => BatchSorter.SortKeys(_series, _times, _sortedSeries, _sortedTimes, _order, [], [], BatchSorter.UsesTwoThreads(Rows)); // as a seal sorts

    [Benchmark(Baseline = true)]
    public void ComparisonSort()
    {
        _series.CopyTo(_sortedSeries, 0);
        for (int i = 0; i < Rows; i++)
        {
            _order[i] = i;
        }

        Array.Sort(_sortedSeries, _order);
        for (int i = 0; i < Rows; i++)
        {
            _sortedTimes[i] = _times[_order[i]];
        }

        for (int start = 0, i = 1; i <= Rows; i++)
        {
            if (i == Rows || _sortedSeries[i] != _sortedSeries[start])
            {
                if (i - start > 1)
                {
                    Array.Sort(_sortedTimes, _order, start, i - start);
                }

                start = i;
            }
        }
    }
}
