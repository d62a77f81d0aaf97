using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Benchmarks.Tests;

/// <summary>
/// The ingest benchmark's final check is exact: a shard that holds every written sample passes, and one
/// wrong bit of a value, one missing sample, one duplicated or one extra sample fails it, named.
/// </summary>
public sealed class ShardIngestCheckTests
{
    private const int Series = 50;
    private const int Points = 40;

    [Fact]
    public void A_shard_holding_every_sample_passes()
    {
        WriteBatch[] batches = Dataset(out _, out _, out _);
        ShardIngestCheck check = ShardIngestCheck.Of(batches);
        InTempFolder(folder => ShardIngestRun.Run(folder, batches, wal: true, writers: 2, check));
        Assert.Equal(Series * Points, check.Matched);
    }

    [Fact]
    public void Writers_keeping_several_writes_in_flight_store_every_sample_and_count_their_fsyncs()
    {
        WriteBatch[] batches = Dataset(out _, out _, out _);
        ShardIngestCheck check = ShardIngestCheck.Of(batches);
        ShardIngestRun.Result result = null!;
        InTempFolder(folder => result = ShardIngestRun.Run(folder, batches, wal: true, writers: 2, check, inFlight: 3));
        Assert.Equal(Series * Points, check.Matched);
        Assert.True(result.Fsyncs.Count >= 1, "the WAL's fsyncs are counted"); // other tests' shards may add theirs
    }

    [Fact]
    public void A_value_differing_in_its_last_bit_fails_the_run()
    {
        WriteBatch[] written = Dataset(out ulong[] series, out long[] timestamps, out double[] values);
        ShardIngestCheck check = ShardIngestCheck.Of(written);
        int changed = 777;
        values[changed] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(values[changed]) ^ 1);
        WriteBatch[] stored = Batches(series, timestamps, values, skip: -1);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(() => InTempFolder(folder => ShardIngestRun.Run(folder, stored, wal: true, writers: 2, check)));
        Assert.Contains("wrong value", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"series {series[changed]:x16} timestamp {timestamps[changed]}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_sample_fails_the_run()
    {
        WriteBatch[] written = Dataset(out ulong[] series, out long[] timestamps, out double[] values);
        ShardIngestCheck check = ShardIngestCheck.Of(written);
        int lost = 1_234;
        WriteBatch[] stored = Batches(series, timestamps, values, skip: lost);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(() => InTempFolder(folder => ShardIngestRun.Run(folder, stored, wal: true, writers: 2, check)));
        Assert.Contains("missing sample", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"series {series[lost]:x16} timestamp {timestamps[lost]}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_sample_missing_fails_at_the_end()
    {
        ShardIngestCheck check = ShardIngestCheck.Of([1, 1, 2], [10, 20, 10], [1.5, 2.5, 3.5]);
        check.Observe(1, 10, 1.5);
        check.Observe(1, 20, 2.5);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(check.Complete);
        Assert.Contains("missing sample: series 0000000000000002 timestamp 10", failure.Message, StringComparison.Ordinal);
    }

    // A measure shard deduplicates (series, timestamp), so duplicates are fed to the check directly.
    [Fact]
    public void A_duplicated_sample_fails()
    {
        ShardIngestCheck check = ShardIngestCheck.Of([1, 1, 2], [10, 20, 10], [1.5, 2.5, 3.5]);
        check.Observe(1, 10, 1.5);
        check.Observe(1, 20, 2.5);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(() => check.Observe(1, 20, 2.5));
        Assert.Contains("duplicated sample: series 0000000000000001 timestamp 20", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_extra_sample_fails()
    {
        ShardIngestCheck check = ShardIngestCheck.Of([1, 1, 2], [10, 20, 10], [1.5, 2.5, 3.5]);
        check.Observe(1, 10, 1.5);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(() => check.Observe(1, 15, 9.0));
        Assert.Contains("extra sample: series 0000000000000001 timestamp 15", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sample_after_the_last_expected_one_is_extra()
    {
        ShardIngestCheck check = ShardIngestCheck.Of([1], [10], [1.5]);
        check.Observe(1, 10, 1.5);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(() => check.Observe(3, 10, 1.5));
        Assert.Contains("extra sample: series 0000000000000003 timestamp 10", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_zero_is_not_zero()
    {
        ShardIngestCheck check = ShardIngestCheck.Of([1], [10], [0.0]);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(() => check.Observe(1, 10, -0.0));
        Assert.Contains("wrong value", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_out_of_scan_order_fail()
    {
        ShardIngestCheck check = ShardIngestCheck.Of([1, 1, 2], [10, 20, 10], [1.5, 2.5, 3.5]);
        check.Observe(1, 10, 1.5);
        check.Observe(1, 20, 2.5);

        IngestCheckException failure = Assert.Throws<IngestCheckException>(() => check.Observe(1, 10, 1.5));
        Assert.Contains("out of order", failure.Message, StringComparison.Ordinal);
    }

    // Time-major like the peer dataset: every series at one timestamp, then the next timestamp; values
    // with all their mantissa bits in use, so a sum would hide a last-bit change.
    private static WriteBatch[] Dataset(out ulong[] series, out long[] timestamps, out double[] values)
    {
        int count = Series * Points;
        series = new ulong[count];
        timestamps = new long[count];
        values = new double[count];
        Random random = new(42);
        for (int p = 0, i = 0; p < Points; p++)
        {
            for (int s = 0; s < Series; s++, i++)
            {
                series[i] = (ulong)(s + 1) * 0x9E3779B97F4A7C15UL;
                timestamps[i] = 1_700_000_000_000_000_000L + (p * 10_000_000_000L);
                values[i] = random.NextDouble() * 1000;
            }
        }

        return Batches(series, timestamps, values, skip: -1);
    }

    private static WriteBatch[] Batches(ulong[] series, long[] timestamps, double[] values, int skip)
    {
        List<WriteBatch> batches = [];
        const int PerBatch = 300;
        for (int start = 0; start < series.Length; start += PerBatch)
        {
            WriteBatch batch = new(DataKind.Measure);
            int column = batch.AddColumn(null, "value", ColumnValueType.Float64);
            for (int i = start; i < Math.Min(series.Length, start + PerBatch); i++)
            {
                if (i != skip)
                {
                    batch.AddRow(series[i], timestamps[i], 0, [ColumnValue.FromFloat64(values[i])]);
                }
            }

            batches.Add(batch);
        }

        return [.. batches];
    }

    private static void InTempFolder(Action<string> run)
    {
        string folder = Path.Combine(Path.GetTempPath(), "banyan-ingest-check-" + Guid.NewGuid().ToString("N"));
        try
        {
            run(folder);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
