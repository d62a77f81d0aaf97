using System.Buffers.Binary;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Tests.Wal;

/// <summary>
/// Damage to the newest WAL file after its records were acknowledged: every cut (at each record
/// boundary and inside records) and every bit flip either raises <see cref="StorageCorruptionException"/>
/// naming the file, or (a flip in the older commit slot) recovers every record exactly. Never fewer
/// records in silence. Repair mode keeps the records before the damage and reports the rest.
/// </summary>
public sealed class WalDamageTests
{
    private const int Records = 9;

    private static byte[] Payload(long value)
    {
        byte[] bytes = new byte[8 + (int)(value * 7 % 41)];
        new Random((int)value).NextBytes(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static List<(long Lsn, byte[] Payload)> ReadAll(WriteAheadLog wal)
    {
        List<(long, byte[])> records = [];
        wal.Replay(0, (lsn, payload) => records.Add((lsn, payload.ToArray())));
        return records;
    }

    // Writes the log: two older files and a newest one holding Records records. closeCleanly false
    // leaves the log as a process kill does (no Dispose: what the kernel got is on disk).
    private static (string Newest, List<long> Boundaries, int FirstInNewest) Write(string directory, bool closeCleanly)
    {
        long lsn = 0;
        using (WriteAheadLog small = WriteAheadLog.Open(directory, new WalOptions { MaxFileSize = 400 }))
        {
            while (small.FileCount < 3)
            {
                lsn = small.Append(Payload(lsn + 1));
            }
        }

        WriteAheadLog wal = WriteAheadLog.Open(directory);
        for (int i = 1; i < Records; i++)
        {
            lsn = wal.Append(Payload(lsn + 1));
        }

        Assert.Equal(3, wal.FileCount);
        if (closeCleanly)
        {
            wal.Dispose();
        }

        string newest = Directory.GetFiles(directory, "*.wal").Max(StringComparer.Ordinal)!;
        Assert.True(WalFormat.TryParseFileName(Path.GetFileName(newest), out long first));
        List<long> boundaries = [WalFormat.HeaderSize];
        for (long l = first; l <= lsn; l++)
        {
            boundaries.Add(boundaries[^1] + WalFormat.RecordHeaderSize + Payload(l).Length);
        }

        Assert.Equal(boundaries[^1], new FileInfo(newest).Length);
        return (newest, boundaries, (int)first);
    }

    private static void CheckExact(WriteAheadLog wal, long through)
    {
        List<(long Lsn, byte[] Payload)> records = ReadAll(wal);
        Assert.Equal(through, records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(i + 1, records[i].Lsn);
            Assert.Equal(Payload(i + 1), records[i].Payload);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_cut_of_the_newest_file_is_corruption_naming_it(bool closeCleanly)
    {
        using TempDirectory dir = new();
        (string newest, List<long> boundaries, int first) = Write(dir.Path, closeCleanly);
        byte[] full = File.ReadAllBytes(newest);
        long total = first - 1 + Records;
        for (int cut = 0; cut < full.Length; cut++)
        {
            File.WriteAllBytes(newest, full.AsSpan(0, cut).ToArray());
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => WriteAheadLog.Open(dir.Path));
            Assert.True(e.FilePath == newest, $"cut at {cut}: the error names {e.FilePath}");
            long expected = cut < WalFormat.HeaderSize ? cut : boundaries.Last(b => b <= cut);
            Assert.True(cut < WalFormat.FixedHeaderSize ? e.Offset <= cut : e.Offset == expected, $"cut at {cut}: offset {e.Offset}, expected {expected}");
        }

        File.WriteAllBytes(newest, full);
        using WriteAheadLog intact = WriteAheadLog.Open(dir.Path);
        Assert.Equal(WalRecoveryReport.Clean, intact.Recovery);
        CheckExact(intact, total);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_bit_flip_in_the_newest_file_is_corruption_or_exact_recovery(bool closeCleanly)
    {
        using TempDirectory dir = new();
        (string newest, _, int first) = Write(dir.Path, closeCleanly);
        byte[] full = File.ReadAllBytes(newest);
        long total = first - 1 + Records;
        int recovered = 0;
        for (int at = 0; at < full.Length; at++)
        {
            byte[] damaged = (byte[])full.Clone();
            damaged[at] ^= (byte)(1 << (at % 8));
            File.WriteAllBytes(newest, damaged);
            WriteAheadLog wal;
            try
            {
                wal = WriteAheadLog.Open(dir.Path);
            }
            catch (StorageCorruptionException e)
            {
                Assert.True(e.FilePath == newest, $"flip at {at}: the error names {e.FilePath}");
                Assert.True(e.Offset <= at, $"flip at {at}: the error points after it, at {e.Offset}");
                continue;
            }

            using (wal)
            {
                // Only a commit slot may be damaged at no cost: the other one still covers every record.
                Assert.True(at >= WalFormat.FixedHeaderSize && at < WalFormat.HeaderSize, $"flip at {at} opened without an error");
                Assert.Single(wal.Recovery.Warnings);
                Assert.Empty(wal.Recovery.Dropped);
                CheckExact(wal, total);
                recovered++;
            }
        }

        Assert.Equal(2 * WalFormat.CommitSlotSize, recovered);
    }

    [Fact]
    public void Repair_mode_keeps_the_records_before_a_cut_and_reports_what_it_dropped()
    {
        using TempDirectory dir = new();
        (string newest, List<long> boundaries, int first) = Write(dir.Path, closeCleanly: true);
        byte[] full = File.ReadAllBytes(newest);
        WalOptions repair = new() { Recovery = WalRecoveryMode.Repair };
        // Every record boundary, and inside each record its first bytes, its header's end and its last byte
        // (every cut point is covered by the strict test above; this one opens twice and appends per cut).
        SortedSet<int> cuts = [];
        for (int r = 0; r + 1 < boundaries.Count; r++)
        {
            int start = (int)boundaries[r];
            int end = (int)boundaries[r + 1];
            cuts.UnionWith([start, start + 1, start + 4, start + WalFormat.RecordHeaderSize, end - 1]);
        }

        foreach (int cut in cuts)
        {
            File.WriteAllBytes(newest, full.AsSpan(0, cut).ToArray());
            long start = boundaries.Last(b => b <= cut);
            long kept = first - 1 + boundaries.IndexOf(start);
            using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, repair))
            {
                WalDroppedRange range = Assert.Single(wal.Recovery.Dropped);
                Assert.Equal((newest, start, cut - start, WalDropKind.Damaged), (range.FilePath, range.Offset, range.Length, range.Kind));
                Assert.Contains("acknowledged", range.Reason, StringComparison.Ordinal);
                CheckExact(wal, kept);
                Assert.Equal(kept + 1, wal.Append(Payload(kept + 1)));
            }

            // Repaired: opens cleanly in strict mode with the kept records and the new one.
            using (WriteAheadLog reopened = WriteAheadLog.Open(dir.Path))
            {
                Assert.Equal(WalRecoveryReport.Clean, reopened.Recovery);
                CheckExact(reopened, kept + 1);
            }
        }
    }

    [Fact]
    public void Repair_mode_drops_a_newest_file_whose_header_is_damaged()
    {
        using TempDirectory dir = new();
        (string newest, _, int first) = Write(dir.Path, closeCleanly: true);
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[9] ^= 0x40;
        File.WriteAllBytes(newest, bytes);
        Assert.Throws<StorageCorruptionException>(() => WriteAheadLog.Open(dir.Path));
        using WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { Recovery = WalRecoveryMode.Repair });
        WalDroppedRange range = Assert.Single(wal.Recovery.Dropped);
        Assert.Equal((newest, 0L, (long)bytes.Length), (range.FilePath, range.Offset, range.Length));
        Assert.False(File.Exists(newest));
        CheckExact(wal, first - 1);
        Assert.Equal(first, wal.Append(Payload(first)));
    }

    [Fact]
    public void A_deleted_newest_file_is_found_missing_by_the_seal_of_the_one_before()
    {
        using TempDirectory dir = new();
        (string newest, _, int first) = Write(dir.Path, closeCleanly: true);
        File.Delete(newest);
        string previous = Directory.GetFiles(dir.Path, "*.wal").Max(StringComparer.Ordinal)!;
        StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => WriteAheadLog.Open(dir.Path));
        Assert.Equal(previous, e.FilePath);
        Assert.Contains("sealed", e.Message, StringComparison.Ordinal);

        using WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { Recovery = WalRecoveryMode.Repair });
        WalDroppedRange range = Assert.Single(wal.Recovery.Dropped);
        Assert.Equal(newest, range.FilePath);
        CheckExact(wal, first - 1);
        Assert.Equal(first, wal.Append(Payload(first)));
    }

    [Fact]
    public void The_commit_mark_covers_a_record_as_soon_as_its_append_returns()
    {
        using TempDirectory dir = new();
        using WriteAheadLog wal = WriteAheadLog.Open(dir.Path);
        string file = Path.Combine(dir.Path, WalFormat.FileName(1));
        long end = WalFormat.HeaderSize;
        for (int i = 1; i <= 5; i++)
        {
            long lsn = wal.Append(Payload(i));
            end += WalFormat.RecordHeaderSize + Payload(i).Length;

            // What a process killed now would leave: the file as the kernel has it.
            byte[] onDisk = ReadShared(file);
            Assert.True(WalFormat.TryReadHeader(onDisk, out WalFileHeader header, out string? problem, out _), problem);
            Assert.Equal(new WalCommitMark(end, lsn, false), header.Commit);
        }
    }

    [Fact]
    public void A_leftover_temporary_file_is_removed_and_reported()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            wal.Append(Payload(1));
        }

        string temp = Path.Combine(dir.Path, WalFormat.FileName(2) + ".tmp");
        File.WriteAllBytes(temp, new byte[30]);
        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path);
        WalDroppedRange range = Assert.Single(reopened.Recovery.Dropped);
        Assert.Equal((temp, 0L, 30L, WalDropKind.UnfinishedFile), (range.FilePath, range.Offset, range.Length, range.Kind));
        Assert.False(File.Exists(temp));
        CheckExact(reopened, 1);
    }

    [Fact]
    public void Version1_files_are_read_and_appends_continue_in_a_version2_file()
    {
        using TempDirectory dir = new();
        string v1 = Path.Combine(dir.Path, WalFormat.FileName(1));
        using (FileStream stream = File.Create(v1))
        {
            stream.Write(Convert.FromHexString("4257414C" + "01000000" + "0100000000000000" + Version1HeaderCrc(1)));
            for (int lsn = 1; lsn <= 3; lsn++)
            {
                byte[] record = new byte[WalFormat.RecordHeaderSize + Payload(lsn).Length];
                WalFormat.WriteRecord(record, lsn, Payload(lsn));
                stream.Write(record);
            }

            stream.Write(new byte[5]); // a torn version 1 tail: cut as before
        }

        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            Assert.Equal(5, wal.Recovery.TornBytesRemoved);
            CheckExact(wal, 3);
            Assert.Equal(4, wal.Append(Payload(4)));
            Assert.Equal(2, wal.FileCount);
        }

        byte[] second = File.ReadAllBytes(Path.Combine(dir.Path, WalFormat.FileName(4)));
        Assert.True(WalFormat.TryReadHeader(second, out WalFileHeader header, out _, out _));
        Assert.Equal(WalFormat.Version, header.Version);
        using WriteAheadLog reopened = WriteAheadLog.Open(dir.Path);
        Assert.Equal(WalRecoveryReport.Clean, reopened.Recovery);
        CheckExact(reopened, 4);
    }

    [Fact]
    public void Files_may_be_missing_only_below_the_flush_point()
    {
        using TempDirectory dir = new();
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path))
        {
            wal.Append(Payload(1));
        }

        // The records after LSN 1 were flushed while the WAL was off: the log restarts at the flush point.
        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MinimumNextLsn = 10 }))
        {
            Assert.Equal(10, wal.Append(Payload(10)));
        }

        using (WriteAheadLog wal = WriteAheadLog.Open(dir.Path, new WalOptions { MinimumNextLsn = 10 }))
        {
            Assert.Equal(WalRecoveryReport.Clean, wal.Recovery);
            Assert.Equal(11, wal.NextLsn);
        }

        // Without that flush point, the same gap is a missing file.
        Assert.Throws<StorageCorruptionException>(() => WriteAheadLog.Open(dir.Path));
    }

    private static string Version1HeaderCrc(long firstLsn)
    {
        byte[] head = new byte[16];
        "BWAL"u8.CopyTo(head);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(8), firstLsn);
        byte[] crc = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Banyan.Storage.Checksums.Crc32C.Compute(head));
        return Convert.ToHexString(crc);
    }

    private static byte[] ReadShared(string path)
    {
        using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
