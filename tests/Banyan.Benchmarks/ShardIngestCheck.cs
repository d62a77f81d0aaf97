using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Banyan.Storage.Columns;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;

namespace Banyan.Benchmarks;

/// <summary>
/// The exact check after an ingest run: every written (series, timestamp, value) is read back once,
/// with the value bit for bit, and nothing else. The expected samples are sorted once, in the order a
/// shard scan yields rows (series id, then timestamp), so the check is one pass over the scan beside
/// the sorted arrays: no hashing, no per-row allocation. The first difference fails the run, named.
/// </summary>
/// <remarks>
/// Rows are fed with <see cref="Observe"/> and the end with <see cref="Complete"/>; both throw
/// <see cref="IngestCheckException"/>. A row that is not the next expected one is, in this order of
/// tests: a duplicate (the key just matched), out of order (below the one just matched), an extra
/// sample (a key the data does not hold), or the sign that the next expected sample is missing.
/// </remarks>
public sealed class ShardIngestCheck
{
    private readonly ulong[] _series;
    private readonly long[] _timestamps;
    private readonly double[] _values;
    private int _next;
    private bool _any;
    private ulong _lastSeries;
    private long _lastTimestamp;

    private ShardIngestCheck(ulong[] series, long[] timestamps, double[] values)
    {
        _series = series;
        _timestamps = timestamps;
        _values = values;
    }

    /// <summary>Rows matched so far.</summary>
    public long Matched => _next;

    /// <summary>Expects exactly the given samples (one per series and timestamp; the arrays are copied).</summary>
    /// <exception cref="ArgumentException">The lengths differ, or a (series, timestamp) repeats: the data would not say which value to expect.</exception>
    public static ShardIngestCheck Of(ReadOnlySpan<ulong> series, ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values)
    {
        if (series.Length != timestamps.Length || series.Length != values.Length)
        {
            throw new ArgumentException($"expected samples: {series.Length} series ids, {timestamps.Length} timestamps, {values.Length} values");
        }

        var samples = new Sample[series.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = new Sample(series[i], timestamps[i], values[i]);
        }

        // In scan order; the dataset is time-major, so this is no no-op.
        Array.Sort(samples);
        ulong[] sortedSeries = new ulong[samples.Length];
        long[] sortedTimestamps = new long[samples.Length];
        double[] sortedValues = new double[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            (sortedSeries[i], sortedTimestamps[i], sortedValues[i]) = (samples[i].Series, samples[i].Timestamp, samples[i].Value);
            if (i > 0 && sortedSeries[i] == sortedSeries[i - 1] && sortedTimestamps[i] == sortedTimestamps[i - 1])
            {
                throw new ArgumentException($"expected samples: series {sortedSeries[i]:x16} timestamp {sortedTimestamps[i]} occurs twice");
            }
        }

        return new ShardIngestCheck(sortedSeries, sortedTimestamps, sortedValues);
    }

    /// <summary>Expects exactly the samples of <paramref name="batches"/> (their first Float64 column is the value).</summary>
    public static ShardIngestCheck Of(IReadOnlyList<WriteBatch> batches)
    {
        long count = 0;
        foreach (WriteBatch batch in batches)
        {
            count += batch.Count;
        }

        ulong[] series = new ulong[count];
        long[] timestamps = new long[count];
        double[] values = new double[count];
        int at = 0;
        foreach (WriteBatch batch in batches)
        {
            batch.SeriesIds.CopyTo(series.AsSpan(at));
            batch.Timestamps.CopyTo(timestamps.AsSpan(at));
            ValueColumn(batch.Columns, "batch").Float64Values.CopyTo(values.AsSpan(at));
            at += batch.Count;
        }

        return Of(series, timestamps, values);
    }

    /// <summary>Scans the whole shard into a fresh check of <paramref name="batches"/>.</summary>
    /// <exception cref="IngestCheckException">The shard holds other samples than the batches.</exception>
    public static void Verify(Shard shard, IReadOnlyList<WriteBatch> batches) => Of(batches).VerifyScan(shard);

    /// <summary>Feeds every row of a full scan of <paramref name="shard"/> from the first expected sample on, then <see cref="Complete"/>.</summary>
    /// <exception cref="IngestCheckException">The shard holds other samples than expected.</exception>
    public void VerifyScan(Shard shard)
    {
        (_next, _any) = (0, false); // a check is reused across runs: the sort is the costly part
        using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
        while (scan.MoveNext())
        {
            Observe(scan.SeriesId, scan.Timestamp, ValueColumn(scan.CurrentBlock.Columns, "block").Float64Values[scan.CurrentRow]);
        }

        Complete();
    }

    /// <summary>Checks the next row read back.</summary>
    /// <exception cref="IngestCheckException">The row is not the next expected sample, or its value differs in any bit.</exception>
    public void Observe(ulong series, long timestamp, double value)
    {
        if (_any && series == _lastSeries && timestamp == _lastTimestamp)
        {
            Fail($"duplicated sample: series {series:x16} timestamp {timestamp} read again (value {Show(value)})");
        }

        if (_any && (series < _lastSeries || (series == _lastSeries && timestamp < _lastTimestamp)))
        {
            Fail($"out of order: series {series:x16} timestamp {timestamp} read after series {_lastSeries:x16} timestamp {_lastTimestamp}");
        }

        if (_next < _series.Length && series == _series[_next] && timestamp == _timestamps[_next])
        {
            if (BitConverter.DoubleToInt64Bits(value) != BitConverter.DoubleToInt64Bits(_values[_next]))
            {
                Fail($"wrong value: series {series:x16} timestamp {timestamp} holds {Show(value)}, written {Show(_values[_next])}");
            }

            _next++;
            _any = true;
            _lastSeries = series;
            _lastTimestamp = timestamp;
            return;
        }

        // Above the next expected key: that one is missing (or the row is extra and the next is missing
        // too; the first difference is the missing one). Below it: a key the data does not hold.
        if (_next < _series.Length && (series > _series[_next] || (series == _series[_next] && timestamp > _timestamps[_next])))
        {
            Fail($"missing sample: series {_series[_next]:x16} timestamp {_timestamps[_next]} value {Show(_values[_next])} (the scan went on to series {series:x16} timestamp {timestamp})");
        }

        Fail($"extra sample: series {series:x16} timestamp {timestamp} value {Show(value)} was never written");
    }

    /// <summary>Checks that every expected sample was read.</summary>
    /// <exception cref="IngestCheckException">Samples are missing at the end.</exception>
    public void Complete()
    {
        if (_next < _series.Length)
        {
            Fail($"missing sample: series {_series[_next]:x16} timestamp {_timestamps[_next]} value {Show(_values[_next])} (the scan ended after {_next} of {_series.Length} samples)");
        }
    }

    private static ColumnBuffer ValueColumn(IReadOnlyList<ColumnBuffer> columns, string where)
    {
        foreach (ColumnBuffer column in columns)
        {
            if (column.Type == Banyan.Storage.Values.ColumnValueType.Float64)
            {
                return column;
            }
        }

        throw new IngestCheckException($"a {where} has no Float64 value column");
    }

    // Round-trip form plus the bits, so a difference in the last bit (or -0 against 0, or a NaN payload) shows.
    private readonly record struct Sample(ulong Series, long Timestamp, double Value) : IComparable<Sample>
    {
        public int CompareTo(Sample other)
        {
            int c = Series.CompareTo(other.Series);
            return c != 0 ? c : Timestamp.CompareTo(other.Timestamp);
        }
    }

    private static string Show(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:R} (0x{BitConverter.DoubleToInt64Bits(value):x16})");

    [DoesNotReturn]
    private void Fail(string message) => throw new IngestCheckException($"ingest check failed after {_next:N0} matching samples: {message}");
}

/// <summary>An ingest run read back other samples than it wrote; the message names the first difference.</summary>
public sealed class IngestCheckException(string message) : Exception(message);
