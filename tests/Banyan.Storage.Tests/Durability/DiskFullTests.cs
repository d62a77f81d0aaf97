namespace Banyan.Storage.Tests.Durability;

/// <summary>
/// The shard on a really full disk (a 4 MiB tmpfs filled by a ballast file, so ENOSPC comes from
/// the kernel): the failing operation raises <see cref="StorageFullException"/> naming the file,
/// nothing acknowledged is lost, nothing unacknowledged appears, nothing half-written is left
/// behind, and everything works again once space is freed. Each test runs one scenario of the
/// crash child (see <c>DiskFullWorkload</c> there) and judges its report.
/// </summary>
public sealed class DiskFullTests
{
    private const int RowsPerBatch = 40; // as the child's ShardWorkload
    private const int BatchesBeforeFlush = 30; // as the child's DiskFullWorkload
    private const int MergeBatches = 4 * 8;
    private const int BatchesAfterFreeing = 5;
    private const int Enospc = 28;

    [Theory]
    [InlineData("wal")] // the WAL append is what fails
    [InlineData("write-flush")] // writes also run flushes, which may be what hits the full disk
    [InlineData("write-flush-indexed")] // the same with indexes, whose files are flushed first
    public void Writes_on_a_full_disk_are_rejected_and_nothing_acknowledged_is_lost(string scenario)
    {
        using TempDirectory dir = new();
        string mount = Path.Combine(dir.Path, "mnt");
        DiskFullReport report = DiskFullChildProcess.Run(scenario, mount);
        AssertCompleted(report);
        Assert.False(report.States.ContainsKey("neverFull"), $"the shard never ran out of space\n{report.Transcript}");

        // The first rejection, and the retry while still full, are clean disk-full errors. Only with
        // flushes may the retry succeed: the failed part write deletes what it had written, which
        // can leave room for one more WAL record.
        bool retryFailed = report.Rejected.Count == 2;
        Assert.True(retryFailed || (report.Rejected.Count == 1 && scenario != "wal"), $"expected the write that hit the full disk and its retry (still full) to fail, nothing else\n{report.Transcript}");
        long rejected = long.Parse(report.Rejected[0].Subject, System.Globalization.CultureInfo.InvariantCulture);
        foreach (DiskFullFailure failure in report.Rejected)
        {
            Assert.True(failure.Phase == "full" && failure.Subject == report.Rejected[0].Subject, $"unexpected rejection {failure}\n{report.Transcript}");
            AssertDiskFull(failure, Path.Combine(mount, "shard"), report);
        }

        if (scenario == "wal")
        {
            Assert.True(report.Rejected[0].FilePath.StartsWith(Path.Combine(mount, "shard", "wal") + "/", StringComparison.Ordinal), $"the WAL append failed, but the error names {report.Rejected[0].FilePath}\n{report.Transcript}");
        }

        Assert.True(rejected > 1, $"not a single write was acknowledged before the disk was full\n{report.Transcript}");

        // Acknowledged: every batch before the rejected one; after freeing space, the retried batch and the next ones.
        HashSet<long> expectedAcks = Range(1, rejected + BatchesAfterFreeing);
        Assert.True(report.Acked.Count == expectedAcks.Count && expectedAcks.SetEquals(report.Acked), $"acknowledged [{string.Join(',', report.Acked)}], expected each of 1..{rejected + BatchesAfterFreeing} once\n{report.Transcript}");

        AssertScan(report, "full", Range(1, retryFailed ? rejected - 1 : rejected));
        AssertScan(report, "freed", expectedAcks);
        AssertScan(report, "reopened", expectedAcks);
        AssertNoLeftovers(report, "full", "freed", "reopened");
        AssertIndexed(report, expectedAcks.Count);
    }

    [Theory]
    [InlineData("flush")] // the part write fails
    [InlineData("flush-indexed")] // the index flush (run first) fails
    [InlineData("flush-nowal")] // WAL off: the memory parts are the only copy
    public void Flush_on_a_full_disk_keeps_the_memory_parts_and_succeeds_once_space_is_freed(string scenario)
    {
        using TempDirectory dir = new();
        string mount = Path.Combine(dir.Path, "mnt");
        DiskFullReport report = DiskFullChildProcess.Run(scenario, mount);
        AssertCompleted(report);
        HashSet<long> all = Range(1, BatchesBeforeFlush);
        Assert.True(report.Rejected.Count == 0 && all.SetEquals(report.Acked), $"every write before the disk filled must be acknowledged\n{report.Transcript}");

        // With the WAL off the child also disposes the shard while the disk is full: that flushes first and must fail the same way.
        string[] failing = scenario == "flush-nowal" ? ["flush", "dispose"] : ["flush"];
        Assert.True(report.Failed.Count == failing.Length, $"expected only [{string.Join(", ", failing)}] on the full disk to fail\n{report.Transcript}");
        for (int i = 0; i < failing.Length; i++)
        {
            DiskFullFailure failure = report.Failed[i];
            Assert.True(failure.Phase == "full" && failure.Subject == failing[i], $"expected {failing[i]} on the full disk to fail, got {failure}\n{report.Transcript}");
            AssertDiskFull(failure, Path.Combine(mount, "shard"), report);
        }

        Assert.True(report.State("full.memoryParts") != "0", $"the failed flush dropped the memory parts\n{report.Transcript}");
        Assert.True(report.State("full.diskParts") == "0", $"the failed flush left a disk part live\n{report.Transcript}");
        AssertScan(report, "full", all);

        Assert.True(report.State("flush.returned") == "true", $"the flush after freeing space did not flush\n{report.Transcript}");
        Assert.True(report.State("freed.memoryParts") == "0" && report.State("freed.diskParts") == "1", $"after freeing space the flush should leave one disk part and no memory part\n{report.Transcript}");
        AssertScan(report, "freed", all);
        AssertScan(report, "reopened", all);
        AssertNoLeftovers(report, "full", "freed", "reopened");
        AssertIndexed(report, all.Count);
    }

    [Theory]
    [InlineData("merge")] // the part merge fails
    [InlineData("merge-indexed")] // the index merge (run first) fails
    public void Merge_on_a_full_disk_keeps_the_old_parts_and_succeeds_once_space_is_freed(string scenario)
    {
        using TempDirectory dir = new();
        string mount = Path.Combine(dir.Path, "mnt");
        DiskFullReport report = DiskFullChildProcess.Run(scenario, mount);
        AssertCompleted(report);
        HashSet<long> all = Range(1, MergeBatches);
        Assert.True(report.Rejected.Count == 0 && all.SetEquals(report.Acked), $"every write before the disk filled must be acknowledged\n{report.Transcript}");

        DiskFullFailure failure = Assert.Single(report.Failed);
        Assert.True(failure.Phase == "full" && failure.Subject == "merge", $"expected only the merge on the full disk to fail, got {failure}\n{report.Transcript}");
        AssertDiskFull(failure, Path.Combine(mount, "shard"), report);
        string before = report.State("before.diskParts");
        Assert.True(before.Split(',').Length == 4, $"the child should have flushed 4 parts before the merge\n{report.Transcript}");
        Assert.True(report.State("full.diskParts") == before, $"the failed merge changed the live parts\n{report.Transcript}");
        AssertScan(report, "full", all);
        AssertNoLeftovers(report, "full");

        Assert.True(report.State("merge.returned") == "true", $"the merge after freeing space did not merge\n{report.Transcript}");
        string merged = report.State("freed.diskParts");
        Assert.True(!merged.Contains(',', StringComparison.Ordinal) && !before.Split(',').Contains(merged), $"after freeing space the merge should leave one new part\n{report.Transcript}");
        Assert.True(report.State("reopened.diskParts") == "1", $"the reopened shard should hold the merged part only\n{report.Transcript}");
        AssertScan(report, "freed", all);
        AssertScan(report, "reopened", all);

        // The merged-away parts stay on disk for the fallback snapshot; nothing else may.
        foreach (DiskFullLeftover leftover in report.Leftovers)
        {
            Assert.True(leftover.Kind == "unlisted" && before.Split(',').Contains(Convert.ToInt64(leftover.Name, 16).ToString(System.Globalization.CultureInfo.InvariantCulture)), $"leftover {leftover}\n{report.Transcript}");
        }

        AssertIndexed(report, all.Count);
    }

    [Fact]
    public void Wal_truncation_on_a_full_disk_deletes_the_closed_files_and_does_not_fail()
    {
        using TempDirectory dir = new();
        DiskFullReport report = DiskFullChildProcess.Run("wal-truncate", Path.Combine(dir.Path, "mnt"));
        AssertCompleted(report);
        Assert.True(report.Failed.Count == 0 && report.State("truncate.returned") == "true", $"truncating the WAL on a full disk failed; it runs after a flush is installed, so the flush would be reported failed\n{report.Transcript}");
        Assert.True(long.Parse(report.State("before.files"), System.Globalization.CultureInfo.InvariantCulture) > 1, $"the WAL should span several files before the truncation\n{report.Transcript}");
        Assert.True(report.State("full.files") == "1" && report.State("full.filesOnDisk") == "1", $"the truncation should delete every closed file (freeing space) and keep the active one\n{report.Transcript}");

        // Every record appended after the truncation point, and only those, are replayed.
        Assert.True(report.Acked.Count == 40 + BatchesAfterFreeing, $"appends after freeing space should succeed\n{report.Transcript}");
        long last = report.Acked[39];
        Assert.True(report.State("reopened.replayed") == BatchesAfterFreeing.ToString(System.Globalization.CultureInfo.InvariantCulture) && report.State("reopened.replayedFirst") == (last + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), $"the reopened WAL should replay LSNs {last + 1}..{last + BatchesAfterFreeing}\n{report.Transcript}");
        Assert.True(report.State("reopened.nextLsn") == (last + BatchesAfterFreeing + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), $"the reopened WAL continues at the wrong LSN\n{report.Transcript}");
    }

    private static void AssertCompleted(DiskFullReport report)
    {
        Assert.True(report.Crash is null, $"the child failed unexpectedly: {report.Crash}\n{report.Transcript}");
        Assert.True(report.Done, $"the child did not finish its scenario\n{report.Transcript}");
        Assert.True(report.BadRows.Count == 0, $"rows with content never written:\n{string.Join('\n', report.BadRows)}\n{report.Transcript}");
    }

    // A StorageFullException from the kernel's ENOSPC, naming a file of the shard, saying the disk is full.
    private static void AssertDiskFull(DiskFullFailure failure, string shardFolder, DiskFullReport report)
    {
        Assert.True(failure.Type == nameof(StorageFullException), $"expected {nameof(StorageFullException)}, got {failure}\n{report.Transcript}");
        Assert.True(failure.Errno == Enospc, $"expected the kernel's ENOSPC ({Enospc}) under the exception, got {failure.Errno}\n{report.Transcript}");
        Assert.True(failure.FilePath.StartsWith(shardFolder + "/", StringComparison.Ordinal), $"the error should name a file of the shard, names '{failure.FilePath}'\n{report.Transcript}");
        Assert.True(failure.Message.Contains(failure.FilePath, StringComparison.Ordinal) && failure.Message.Contains("disk full", StringComparison.Ordinal), $"the message should name the file and say the disk is full: {failure.Message}\n{report.Transcript}");
    }

    // Exactly the expected batches, each with all its rows once.
    private static void AssertScan(DiskFullReport report, string phase, HashSet<long> expected)
    {
        Assert.True(report.Scans.TryGetValue(phase, out Dictionary<long, int>? rows), $"the child did not scan in phase '{phase}'\n{report.Transcript}");
        foreach ((long batch, int count) in rows!)
        {
            Assert.True(expected.Contains(batch), $"{phase}: batch {batch} is present but was never acknowledged\n{report.Transcript}");
            Assert.True(count == RowsPerBatch, $"{phase}: batch {batch} has {count} rows, expected {RowsPerBatch} exactly once\n{report.Transcript}");
        }

        foreach (long batch in expected)
        {
            Assert.True(rows.ContainsKey(batch), $"{phase}: acknowledged batch {batch} is lost\n{report.Transcript}");
        }
    }

    private static void AssertNoLeftovers(DiskFullReport report, params string[] phases)
    {
        foreach (DiskFullLeftover leftover in report.Leftovers)
        {
            Assert.True(!phases.Contains(leftover.Phase), $"{leftover.Phase}: '{leftover.Name}' ({leftover.Kind}) was left in the shard folder\n{report.Transcript}");
        }
    }

    private static void AssertIndexed(DiskFullReport report, int batches)
    {
        if (report.States.TryGetValue("reopened.indexedRows", out string? indexed))
        {
            Assert.True(indexed == (batches * RowsPerBatch).ToString(System.Globalization.CultureInfo.InvariantCulture), $"the index of the reopened shard finds {indexed} rows, expected {batches * RowsPerBatch}\n{report.Transcript}");
        }
    }

    private static HashSet<long> Range(long first, long last)
    {
        HashSet<long> set = [];
        for (long i = first; i <= last; i++)
        {
            set.Add(i);
        }

        return set;
    }
}
