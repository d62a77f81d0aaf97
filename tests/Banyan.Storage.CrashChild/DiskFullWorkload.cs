using System.Globalization;
using Banyan.Storage.Columns;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Snapshots;
using Banyan.Storage.Values;

namespace Banyan.Storage.CrashChild;

/// <summary>
/// <c>diskfull &lt;mountPoint&gt; &lt;scenario&gt;</c>: runs one disk-full scenario on a shard in
/// <c>&lt;mountPoint&gt;/shard</c>, where <c>mountPoint</c> is a small tmpfs the parent mounted in
/// a private mount namespace (the filesystem is filled for real, so the errors are the kernel's
/// ENOSPC). The child does the I/O and reports what happened, one tab-separated fact per line;
/// the test decides whether that was right:
/// <list type="bullet">
/// <item><c>ACK b</c>: <c>Write</c> of batch b returned.</item>
/// <item><c>REJECTED b type errno path message</c>: <c>Write</c> of batch b threw.</item>
/// <item><c>FAILED op type errno path message</c>: flush or merge threw.</item>
/// <item><c>STATE key value</c>: an observed value (part counts, return values).</item>
/// <item><c>LEFTOVER phase kind name</c>: a <c>*.tmp</c> entry or an unlisted part folder in the shard, or a deleted file of the shard still held open.</item>
/// <item><c>SCAN phase b rows</c> and <c>BADROW phase element reason</c>: a full scan, per batch.</item>
/// <item><c>DONE</c> at the end; <c>CRASH exception</c> on anything unexpected.</item>
/// </list>
/// Batches are <see cref="ShardWorkload.Batch"/> (40 rows, element ids batch * 1000 + row).
/// </summary>
internal static class DiskFullWorkload
{
    /// <summary>Free bytes left next to the ballast in the write scenarios: room for a few dozen WAL records.</summary>
    private const long WriteHeadroomBytes = 160 * 1024;

    private const int MaxBatches = 100_000;
    private const int BatchesBeforeFlush = 30;
    private const int MergeParts = 4;
    private const int BatchesPerPart = 8;
    private const int BatchesAfterFreeing = 5;

    public static int Run(string mountPoint, string scenario, AckWriter output)
    {
        try
        {
            long total = Ballast.RequireSmallFilesystem(mountPoint);
            State(output, "mount.totalBytes", total);
            string shard = Path.Combine(mountPoint, "shard");
            switch (scenario)
            {
                case "wal":
                    WriteUntilFull(mountPoint, shard, Options(walEnabled: true, indexed: true, flushThresholdBytes: 64L << 20), output);
                    break;
                case "write-flush":
                    WriteUntilFull(mountPoint, shard, Options(walEnabled: true, indexed: false, flushThresholdBytes: 8 * 1024), output);
                    break;
                case "write-flush-indexed":
                    WriteUntilFull(mountPoint, shard, Options(walEnabled: true, indexed: true, flushThresholdBytes: 8 * 1024), output);
                    break;
                case "flush":
                    FlushWhileFull(mountPoint, shard, Options(walEnabled: true, indexed: false, flushThresholdBytes: 64L << 20), output);
                    break;
                case "flush-indexed":
                    FlushWhileFull(mountPoint, shard, Options(walEnabled: true, indexed: true, flushThresholdBytes: 64L << 20), output);
                    break;
                case "flush-nowal":
                    FlushWhileFull(mountPoint, shard, Options(walEnabled: false, indexed: false, flushThresholdBytes: 64L << 20), output);
                    break;
                case "merge":
                    MergeWhileFull(mountPoint, shard, Options(walEnabled: true, indexed: false, flushThresholdBytes: 64L << 20), output);
                    break;
                case "merge-indexed":
                    MergeWhileFull(mountPoint, shard, Options(walEnabled: true, indexed: true, flushThresholdBytes: 64L << 20), output);
                    break;
                case "wal-truncate":
                    TruncateWhileFull(mountPoint, Path.Combine(mountPoint, "wal"), output);
                    break;
                default:
                    Console.Error.WriteLine($"unknown disk-full scenario '{scenario}'");
                    return 2;
            }

            output.Ack("DONE");
            return 0;
        }
        catch (Exception ex)
        {
            output.Ack("CRASH\t" + OneLine(ex.ToString()));
            return 1;
        }
    }

    private static ShardOptions Options(bool walEnabled, bool indexed, long flushThresholdBytes) => new()
    {
        Kind = DataKind.Stream,
        Index = indexed ? ShardWorkload.Index : null,
        WalEnabled = walEnabled,
        FlushThresholdBytes = flushThresholdBytes,
        MaxMemoryBytes = 64L << 20,
        Wal = new Wal.WalOptions { MaxFileSize = 64 * 1024 },
    };

    // Scenario "wal" (no flushes: the WAL append is what fails) and "write-flush[-indexed]" (writes
    // also run flushes, so the disk may fill in a part, index or snapshot write a write triggered:
    // that write is acknowledged all the same, as its WAL record is durable).
    private static void WriteUntilFull(string mountPoint, string folder, ShardOptions options, AckWriter output)
    {
        long rejected = 0;
        long batch = 1;
        bool retriedWhileFull = false;
        Shard shard = Shard.Open(folder, options);
        try
        {
            using (Ballast ballast = Ballast.Fill(mountPoint, WriteHeadroomBytes))
            {
                for (; batch <= MaxBatches && rejected == 0; batch++)
                {
                    if (!TryWrite(shard, batch, output))
                    {
                        rejected = batch;
                    }
                }

                if (rejected == 0)
                {
                    State(output, "neverFull", batch);
                    return;
                }

                // Still full: the same batch fails the same way (the shard did not wedge itself). Space
                // may come back meanwhile (the finalizer of a file a failed part write left open frees
                // it), so a success is reported as such and the batch is not written again below.
                retriedWhileFull = TryWrite(shard, rejected, output);
                State(output, "full.memoryParts", shard.MemoryPartCount);
                ReportScan(shard, "full", output);
                ReportLeftovers(shard, "full", output);
            }

            State(output, "freed", 1);
            if (!retriedWhileFull)
            {
                TryWrite(shard, rejected, output);
            }

            for (int i = 0; i < BatchesAfterFreeing; i++, batch++)
            {
                TryWrite(shard, batch, output);
            }

            ReportScan(shard, "freed", output);
        }
        finally
        {
            shard.Dispose();
        }

        Reopen(folder, options, output);
    }

    // Scenarios "flush", "flush-indexed", "flush-nowal": rows acknowledged, then the disk fills, then Flush.
    private static void FlushWhileFull(string mountPoint, string folder, ShardOptions options, AckWriter output)
    {
        Shard shard = Shard.Open(folder, options);
        try
        {
            for (long batch = 1; batch <= BatchesBeforeFlush; batch++)
            {
                TryWrite(shard, batch, output);
            }

            using (Ballast.Fill(mountPoint, 0))
            {
                TryOperation("flush", shard.Flush, output);
                if (!options.WalEnabled)
                {
                    // Closing flushes first when the memory parts are the only copy: on a full disk that
                    // must fail loudly and leave the shard open, not drop the rows.
                    TryOperation("dispose", () =>
                    {
                        shard.Dispose();
                        return true;
                    }, output);
                }

                State(output, "full.memoryParts", shard.MemoryPartCount);
                State(output, "full.diskParts", shard.DiskPartIds.Count);
                ReportScan(shard, "full", output);
                ReportLeftovers(shard, "full", output);
            }

            State(output, "freed", 1);
            TryOperation("flush", shard.Flush, output);
            State(output, "freed.memoryParts", shard.MemoryPartCount);
            State(output, "freed.diskParts", shard.DiskPartIds.Count);
            ReportScan(shard, "freed", output);
            ReportLeftovers(shard, "freed", output);
        }
        finally
        {
            shard.Dispose();
        }

        Reopen(folder, options, output);
    }

    // Scenarios "merge" and "merge-indexed": several disk parts, the disk fills, then a forced merge.
    private static void MergeWhileFull(string mountPoint, string folder, ShardOptions options, AckWriter output)
    {
        Shard shard = Shard.Open(folder, options);
        try
        {
            long batch = 1;
            for (int part = 0; part < MergeParts; part++)
            {
                for (int i = 0; i < BatchesPerPart; i++, batch++)
                {
                    TryWrite(shard, batch, output);
                }

                shard.Flush();
            }

            State(output, "before.diskParts", string.Join(',', shard.DiskPartIds));
            using (Ballast.Fill(mountPoint, 0))
            {
                TryOperation("merge", () => shard.Merge(force: true), output);
                State(output, "full.diskParts", string.Join(',', shard.DiskPartIds));
                ReportScan(shard, "full", output);
                ReportLeftovers(shard, "full", output);
            }

            State(output, "freed", 1);
            TryOperation("merge", () => shard.Merge(force: true), output);
            State(output, "freed.diskParts", string.Join(',', shard.DiskPartIds));
            ReportScan(shard, "freed", output);
            ReportLeftovers(shard, "freed", output);
        }
        finally
        {
            shard.Dispose();
        }

        Reopen(folder, options, output);
    }

    // Scenario "wal-truncate": a flush installed on a full disk truncates the WAL; there is no room
    // for the new file a truncation of the whole active file starts, yet the closed files must go
    // (freeing space) and the truncation must not fail. LSNs are reported as ACK values.
    private static void TruncateWhileFull(string mountPoint, string folder, AckWriter output)
    {
        Wal.WalOptions options = new() { MaxFileSize = 16 * 1024 };
        byte[] payload = new byte[1000];
        Array.Fill(payload, (byte)0xA5);
        long last = 0;
        using (Wal.WriteAheadLog wal = Wal.WriteAheadLog.Open(folder, options))
        {
            for (int i = 0; i < 40; i++)
            {
                last = wal.Append(payload);
                output.Ack("ACK " + Number(last));
            }

            State(output, "before.files", wal.FileCount);
            using (Ballast.Fill(mountPoint, 0))
            {
                TryOperation("truncate", () =>
                {
                    wal.Truncate(last);
                    return true;
                }, output);
                State(output, "full.files", wal.FileCount);
                State(output, "full.filesOnDisk", Directory.GetFiles(folder).Length);
            }

            State(output, "freed", 1);
            for (int i = 0; i < BatchesAfterFreeing; i++)
            {
                output.Ack("ACK " + Number(wal.Append(payload)));
            }
        }

        using Wal.WriteAheadLog reopened = Wal.WriteAheadLog.Open(folder, options);
        long replayedFirst = 0;
        long replayed = reopened.Replay(last, (lsn, record) =>
        {
            replayedFirst = replayedFirst == 0 ? lsn : replayedFirst;
            if (!record.SequenceEqual(payload))
            {
                output.Ack($"BADROW\treopened\t{Number(lsn)}\tWAL record payload differs from the one appended");
            }
        });
        State(output, "reopened.replayed", replayed);
        State(output, "reopened.replayedFirst", replayedFirst);
        State(output, "reopened.nextLsn", reopened.NextLsn);
    }

    private static void Reopen(string folder, ShardOptions options, AckWriter output)
    {
        using Shard shard = Shard.Open(folder, options);
        State(output, "reopened.diskParts", shard.DiskPartIds.Count);
        ReportScan(shard, "reopened", output);
        ReportLeftovers(shard, "reopened", output);
        if (shard.Indexer is not null)
        {
            List<IndexedRow> rows = shard.QueryIndexed(new Condition("v", ConditionOp.Ge, TagValue.FromInt64(0)), long.MinValue, long.MaxValue);
            State(output, "reopened.indexedRows", rows.Count);
        }
    }

    private static bool TryWrite(Shard shard, long batch, AckWriter output)
    {
        try
        {
            shard.Write(ShardWorkload.Batch(batch));
        }
        catch (IOException ex)
        {
            output.Ack($"REJECTED\t{Number(batch)}\t{Describe(ex)}");
            return false;
        }

        output.Ack("ACK " + Number(batch));
        return true;
    }

    private static void TryOperation(string name, Func<bool> operation, AckWriter output)
    {
        try
        {
            State(output, name + ".returned", operation() ? "true" : "false");
        }
        catch (IOException ex)
        {
            output.Ack($"FAILED\t{name}\t{Describe(ex)}");
        }
    }

    // type, errno of the kernel's error (-1 when none), the file named, the message.
    private static string Describe(IOException ex)
    {
        Exception root = ex;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        int errno = root is IOException && root.HResult != 0 ? root.HResult & 0xFFFF : -1;
        string path = ex is StorageFullException full ? full.FilePath : "";
        return $"{ex.GetType().Name}\t{Number(errno)}\t{path}\t{OneLine(ex.Message)}";
    }

    private static void ReportScan(Shard shard, string phase, AckWriter output)
    {
        SortedDictionary<long, int> rowsPerBatch = [];
        using (ShardScan scan = shard.Scan(SeriesTimeFilter.All, ColumnProjection.All))
        {
            while (scan.MoveNext())
            {
                long element = scan.Version;
                ColumnBuffer? values = scan.CurrentBlock.FindColumn("default", "v");
                if (values is null || values.GetInt64(scan.CurrentRow) != element * 7)
                {
                    output.Ack($"BADROW\t{phase}\t{Number(element)}\tvalue of tag v is not the one written");
                }

                if (scan.SeriesId != ShardWorkload.SeriesOf(element) || scan.Timestamp != ShardWorkload.TimestampOf(element))
                {
                    output.Ack($"BADROW\t{phase}\t{Number(element)}\tseries or timestamp is not the one written");
                }

                long batch = element / 1000;
                rowsPerBatch[batch] = rowsPerBatch.GetValueOrDefault(batch) + 1;
            }
        }

        output.Ack($"SCANNED\t{phase}");
        foreach ((long batch, int rows) in rowsPerBatch)
        {
            output.Ack($"SCAN\t{phase}\t{Number(batch)}\t{Number(rows)}");
        }
    }

    // Temporary entries anywhere in the shard (parts, snapshots, index files, WAL files), and part
    // folders the live set does not list. Part folders held for the fallback snapshot are expected
    // after a merge; the test judges per phase.
    private static void ReportLeftovers(Shard shard, string phase, AckWriter output)
    {
        // A flush a write started in the background may be halfway through its staging folder.
        shard.WhenIdleAsync().GetAwaiter().GetResult();
        HashSet<long> live = [.. shard.DiskPartIds];
        foreach (string entry in Directory.EnumerateFileSystemEntries(shard.FolderPath, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetFileName(entry);
            string relative = Path.GetRelativePath(shard.FolderPath, entry);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                output.Ack($"LEFTOVER\t{phase}\ttmp\t{relative}");
            }
            else if (Path.GetDirectoryName(relative) is "" && SnapshotStore.TryParsePartFolder(name, out long id) && !live.Contains(id))
            {
                output.Ack($"LEFTOVER\t{phase}\tunlisted\t{relative}");
            }
        }

        // Files of the shard this process still holds open after deleting them: their space stays
        // taken until closed, so a writer that gives up must close every file it opened.
        foreach (string descriptor in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target = new FileInfo(descriptor).LinkTarget;
            if (target is not null && target.StartsWith(shard.FolderPath, StringComparison.Ordinal) && target.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                output.Ack($"LEFTOVER\t{phase}\topen-deleted\t{OneLine(Path.GetRelativePath(shard.FolderPath, target))}");
            }
        }
    }

    private static void State(AckWriter output, string key, object value)
        => output.Ack($"STATE\t{key}\t{Convert.ToString(value, CultureInfo.InvariantCulture)}");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string OneLine(string text) => text.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
}
