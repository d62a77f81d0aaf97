using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Snapshots;
using Banyan.Storage.Values;

namespace Banyan.Storage.Tests.Shards;

public sealed class ShardTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options(bool wal = true) => new()
    {
        WalEnabled = wal,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
    };

    private static int CountRows(Shard shard)
    {
        using ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All);
        int rows = 0;
        while (scan.MoveNext())
        {
            rows++;
        }

        return rows;
    }

    [Fact]
    public async Task A_batch_the_caller_keeps_is_copied_and_one_handed_over_is_stored_as_it_is()
    {
        using TempDirectory dir = new();
        List<(ulong, long, double)> expected;
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            // Kept by the caller: changing it after the write changes nothing stored.
            WriteBatch kept = FloatRows.Batch(1);
            await shard.WriteAsync(kept, BatchOwnership.CallerKeeps);
            kept.AddRow(9, 9, 1, [ColumnValue.FromFloat64(9)]);

            // Handed over: stored without a copy, readable by the caller afterwards, and the same rows everywhere.
            WriteBatch handed = FloatRows.Batch(2);
            await shard.WriteAsync(handed, BatchOwnership.HandedOver);
            Assert.Equal(10, handed.Count);

            expected = [.. Enumerable.Range(1, 2).SelectMany(id => Rows(FloatRows.Batch(id)))];
            expected.Sort();
            List<(ulong, long, double)> buffered = FloatRows.ReadAll(shard);
            buffered.Sort();
            Assert.Equal(expected, buffered);

            await shard.SealAsync();
            Assert.True(shard.Flush());
            List<(ulong, long, double)> flushed = FloatRows.ReadAll(shard);
            flushed.Sort();
            Assert.Equal(expected, flushed);
        }

        using Shard reopened = _leaks.Open(dir.Path, Options());
        List<(ulong, long, double)> after = FloatRows.ReadAll(reopened);
        after.Sort();
        Assert.Equal(expected, after);
    }

    // The shard copies a batch its caller keeps while the batch's WAL record waits for its fsync (or, when the write must
    // wait for memory, before that wait): the caller refills the one batch it has as soon as each write returns, before
    // the write completes, and every row must still be stored as it was when written. Small memory bounds make writes
    // wait for flushes; the blocking write takes the log's other append.
    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    [InlineData(false, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, false, true)]
    public async Task A_batch_the_caller_keeps_may_be_refilled_as_soon_as_the_write_returns(bool wal, bool smallMemory, bool blocking)
    {
        using TempDirectory dir = new();
        ShardOptions options = new()
        {
            WalEnabled = wal,
            PartWriter = PartWriterOptions.Default with { Fsync = false },
            FlushThresholdBytes = smallMemory ? 4096 : new ShardOptions().FlushThresholdBytes,
            MaxMemoryBytes = smallMemory ? 8192 : new ShardOptions().MaxMemoryBytes,
            WaitTimeout = TimeSpan.FromSeconds(60),
        };
        List<(ulong, long, double)> expected = [];
        using (Shard shard = _leaks.Open(dir.Path, options))
        {
            WriteBatch reused = new(DataKind.Measure);
            List<Task> pending = [];
            for (int b = 1; b <= 40; b++)
            {
                Refill(reused, b, rows: 50);
                expected.AddRange(Rows(reused));
                if (blocking)
                {
                    shard.Write(reused);
                }
                else
                {
                    pending.Add(shard.WriteAsync(reused).AsTask());
                }
            }

            Refill(reused, 99, rows: 50); // the last write's rows changed too before it completes
            await Task.WhenAll(pending);
            expected.Sort();
            List<(ulong, long, double)> written = FloatRows.ReadAll(shard);
            written.Sort();
            Assert.Equal(expected, written);
            await shard.SealAsync();
            shard.Flush();
            List<(ulong, long, double)> flushed = FloatRows.ReadAll(shard);
            flushed.Sort();
            Assert.Equal(expected, flushed);
        }

        using Shard reopened = _leaks.Open(dir.Path, options);
        List<(ulong, long, double)> after = FloatRows.ReadAll(reopened);
        after.Sort();
        Assert.Equal(expected, after);
    }

    // The rows of FloatRows.Batch(batch, rows), written into the same batch object: its key arrays are reused in place.
    private static void Refill(WriteBatch batch, int id, int rows)
    {
        batch.Clear();
        batch.AddColumn(null, "v", ColumnValueType.Float64);
        for (int i = 0; i < rows; i++)
        {
            batch.AddRow((ulong)(i % 3) + 1, (id * 1000L) + i, 1, [ColumnValue.FromFloat64(id + (i / 100.0))]);
        }
    }

    private static IEnumerable<(ulong, long, double)> Rows(WriteBatch batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            yield return (batch.SeriesIds[i], batch.Timestamps[i], batch.Columns[0].GetDouble(i));
        }
    }

    [Fact]
    public void Flush_installs_a_snapshot_and_truncates_the_wal_behind_the_fallback()
    {
        using TempDirectory dir = new();
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            for (int i = 0; i < 5; i++)
            {
                shard.Write(FloatRows.Batch(i));
                Assert.True(shard.Flush());
            }

            Assert.False(shard.Flush());
            Assert.Equal(5, shard.DiskPartIds.Count);
            Assert.Equal(50, CountRows(shard));
            Assert.True(shard.Merge(force: true));
            Assert.Single(shard.DiskPartIds);
            Assert.Equal(50, CountRows(shard));
        }

        Assert.Equal(2, Directory.GetFiles(dir.Path, "*.snp").Length);
        using Shard reopened = _leaks.Open(dir.Path, Options());
        Assert.Equal(50, CountRows(reopened));
        Assert.Equal(0, reopened.MemoryPartCount);
    }

    [Fact]
    public void Merged_away_parts_are_deleted_only_after_readers_and_the_fallback_snapshot_let_go()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options());
        shard.Write(FloatRows.Batch(1));
        shard.Flush();
        shard.Write(FloatRows.Batch(2));
        shard.Flush();
        IReadOnlyList<long> before = shard.DiskPartIds;
        using (ShardScan reader = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All))
        {
            shard.Merge(force: true);
            shard.Write(FloatRows.Batch(3));
            shard.Flush(); // the merge's snapshot becomes the fallback; the pre-merge one goes
            foreach (long id in before)
            {
                Assert.True(Directory.Exists(Path.Combine(dir.Path, SnapshotStore.PartFolderName(id))), "a reader still holds the part");
            }

            int rows = 0;
            while (reader.MoveNext())
            {
                rows++;
            }

            Assert.Equal(20, rows);
        }

        foreach (long id in before)
        {
            Assert.False(Directory.Exists(Path.Combine(dir.Path, SnapshotStore.PartFolderName(id))));
        }

        Assert.Equal(30, CountRows(shard));
    }

    [Fact]
    public void Torn_newest_snapshot_falls_back_and_the_wal_restores_the_rest()
    {
        using TempDirectory dir = new();
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            for (int i = 0; i < 4; i++)
            {
                shard.Write(FloatRows.Batch(i));
                shard.Flush();
            }

            shard.Merge(force: true);
            shard.Write(FloatRows.Batch(9));
        }

        string[] snapshots = Directory.GetFiles(dir.Path, "*.snp");
        Array.Sort(snapshots, StringComparer.Ordinal);
        byte[] newest = File.ReadAllBytes(snapshots[^1]);
        File.WriteAllBytes(snapshots[^1], newest.AsSpan(0, newest.Length / 2).ToArray());

        using Shard reopened = _leaks.Open(dir.Path, Options());
        Assert.Single(reopened.Recovery.RejectedSnapshots);
        Assert.Equal(50, CountRows(reopened));
    }

    [Fact]
    public void Torn_last_wal_record_loses_only_that_write()
    {
        using TempDirectory dir = new();
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            for (int i = 0; i < 3; i++)
            {
                shard.Write(FloatRows.Batch(i));
            }
        }

        // A fourth write cut short by a crash before its group commit: part of its record follows the
        // commit mark of the three acknowledged ones.
        string wal = Directory.GetFiles(Path.Combine(dir.Path, "wal"), "*.wal").Single();
        byte[] payload = WriteBatchCodec.Encode(FloatRows.Batch(3));
        byte[] record = new byte[Banyan.Storage.Wal.WalFormat.RecordHeaderSize + payload.Length];
        Banyan.Storage.Wal.WalFormat.WriteRecord(record, 4, payload);
        using (FileStream stream = new(wal, FileMode.Append))
        {
            stream.Write(record.AsSpan(0, record.Length - 7));
        }

        using Shard reopened = _leaks.Open(dir.Path, Options());
        Assert.Equal(record.Length - 7, reopened.Recovery.Wal.TornBytesRemoved);
        Assert.Equal(3, reopened.Recovery.ReplayedRecords);
        Assert.Equal(30, CountRows(reopened));
    }

    [Fact]
    public void Wal_off_keeps_flushed_data_and_loses_unflushed_data_on_a_crash()
    {
        using TempDirectory dir = new();
        Shard shard = _leaks.Open(dir.Path, Options(wal: false));
        shard.Write(FloatRows.Batch(1));
        shard.Flush();
        shard.Write(FloatRows.Batch(2));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "wal")));

        // Simulated crash: open a second instance on the same folder without closing the first.
        using (Shard afterCrash = _leaks.Open(dir.Path, Options(wal: false)))
        {
            Assert.Equal(10, CountRows(afterCrash));
        }

        shard.Dispose(); // a clean close flushes
        using Shard reopened = _leaks.Open(dir.Path, Options(wal: false));
        Assert.Equal(20, CountRows(reopened));
    }

    [Fact]
    public void Memory_stays_bounded_under_writes_without_explicit_flushes()
    {
        using TempDirectory dir = new();
        ShardOptions options = new() { PartWriter = PartWriterOptions.Default with { Fsync = false }, FlushThresholdBytes = 4096, MaxMemoryBytes = 8192 };
        using Shard shard = _leaks.Open(dir.Path, options);
        for (int i = 0; i < 200; i++)
        {
            shard.Write(FloatRows.Batch(i, 20));
            Assert.True(shard.MemoryBytes <= 8192, $"memory {shard.MemoryBytes} after write {i}");
        }

        Assert.NotEmpty(shard.DiskPartIds);
        Assert.Equal(4000, CountRows(shard));
    }

    [Fact]
    public void Bad_batch_kind_is_a_clear_error()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options());
        ArgumentException ex = Assert.Throws<ArgumentException>(() => shard.Write(new WriteBatch(DataKind.Stream)));
        Assert.Contains("Stream", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_policy_picks_similar_sized_adjacent_parts()
    {
        MergePolicy policy = new() { MaxPartsPerMerge = 4, MinOutputToLargestRatio = 1.7 };
        Assert.False(policy.TryPick([100], false, out _, out _));
        Assert.False(policy.TryPick([1000, 10], false, out _, out _)); // ratio 1.01: not worth it
        Assert.True(policy.TryPick([1000, 10, 10, 10, 10], false, out int start, out int count));
        Assert.Equal((1, 4), (start, count));
        Assert.True(policy.TryPick([1000, 10], true, out start, out count));
        Assert.Equal((0, 2), (start, count));
        MergePolicy bounded = new() { MaxOutputBytes = 25, MinOutputToLargestRatio = 1.7 };
        Assert.True(bounded.TryPick([10, 10, 10, 10], false, out _, out count));
        Assert.Equal(2, count);
    }

    [Fact]
    public void Default_merge_policy_waits_for_about_four_similar_parts()
    {
        // VictoriaMetrics' floor max(1.7, maxParts / 2): pairs are not worth a rewrite, four are.
        MergePolicy policy = new();
        Assert.False(policy.TryPick([10, 10], false, out _, out _));
        Assert.False(policy.TryPick([10, 10, 10], false, out _, out _));
        Assert.True(policy.TryPick([10, 10, 10, 10], false, out int start, out int count));
        Assert.Equal((0, 4), (start, count));
        Assert.True(policy.TryPick([400, 10, 10, 10, 10, 10], false, out start, out count));
        Assert.Equal((1, 5), (start, count));
    }
}
