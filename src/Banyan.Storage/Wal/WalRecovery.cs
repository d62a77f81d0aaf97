using Banyan.Storage.Durability;

namespace Banyan.Storage.Wal;

/// <summary>
/// Checks a WAL directory at open and repairs what a crash may leave: a torn write after the last
/// acknowledged record of the newest file, and files whose creation did not finish. Anything else
/// (damage to acknowledged records, a truncation below the commit mark, a missing file) is
/// corruption: refused in <see cref="WalRecoveryMode.Strict"/> mode, dropped and reported in
/// <see cref="WalRecoveryMode.Repair"/> mode. The rules, file by file, are in <c>docs/format/wal.md</c>.
/// </summary>
internal static class WalRecovery
{
    /// <summary>The state of the log after recovery.</summary>
    /// <param name="Files">First LSNs of the files that stay, ascending.</param>
    /// <param name="NextLsn">One past the last record of the newest file (0 when there is no file).</param>
    /// <param name="NewestEnd">Offset just past the last record of the newest file.</param>
    /// <param name="NewestHeader">The newest file's header (as it is on disk after recovery).</param>
    /// <param name="Report">What was dropped.</param>
    public sealed record Result(List<long> Files, long NextLsn, long NewestEnd, WalFileHeader NewestHeader, WalRecoveryReport Report);

    public static Result Run(string directory, WalOptions options)
    {
        FileSystem fileSystem = FileSystem.At(directory);
        List<WalDroppedRange> dropped = [];
        List<string> warnings = [];
        bool changed = RemoveUnfinishedCreations(fileSystem, directory, dropped);
        List<long> files = ListFiles(directory);

        Damage? damage = null;
        long expectedNext = 0;
        long newestEnd = 0;
        WalFileHeader newestHeader = default;
        FileState? previous = null;
        for (int i = 0; i < files.Count && damage is null; i++)
        {
            bool newest = i == files.Count - 1;
            string path = Path.Combine(directory, WalFormat.FileName(files[i]));
            using WalFileReader reader = new(path);
            if (!reader.HeaderValid)
            {
                if (newest && previous is not null && IsUnfinishedCreation(reader, previous))
                {
                    reader.Dispose();
                    dropped.Add(new WalDroppedRange(path, 0, new FileInfo(path).Length, WalDropKind.UnfinishedFile,
                        $"the newest file has no valid header ({reader.HeaderProblem}) and the file before it was never sealed, so no record was ever written to it: a file creation the crash interrupted"));
                    fileSystem.DeleteFile(path);
                    files.RemoveAt(i);
                    changed = true;
                    break;
                }

                damage = new Damage(i, path, reader.HeaderProblemOffset, $"file header: {reader.HeaderProblem}", WholeFile: true);
                break;
            }

            WalFileHeader header = reader.Header;
            if (reader.FirstLsn != files[i])
            {
                damage = new Damage(i, path, 8, $"header first LSN {reader.FirstLsn} does not match the file name", WholeFile: true);
                break;
            }

            if (i > 0 && reader.FirstLsn != expectedNext && !(reader.FirstLsn > expectedNext && reader.FirstLsn <= options.MinimumNextLsn))
            {
                damage = new Damage(i, path, 8, $"file starts at LSN {reader.FirstLsn} but the previous file ends before LSN {expectedNext}: a WAL file is missing", WholeFile: true);
                break;
            }

            if (header.DamagedSlot is not null)
            {
                warnings.Add($"{path}: {header.DamagedSlot}; the other slot (through LSN {header.Commit.LastLsn}) was used");
            }

            damage = ScanRecords(reader, i, newest, out long stop, out WalReadStatus status);
            if (damage is null && status == WalReadStatus.Bad)
            {
                // Past the commit mark of the newest file: never acknowledged (see docs/format/wal.md).
                long after = reader.FindValidRecordAfterBadOne();
                if (!header.HasCommitSlots && after >= 0)
                {
                    damage = new Damage(i, path, stop, $"{reader.Problem}, followed by a valid record at offset {after}: damage to acknowledged data, not a torn write", WholeFile: false);
                    break;
                }

                string reason = header.HasCommitSlots
                    ? $"{reader.Problem}; it lies after the last acknowledged record (LSN {header.Commit.LastLsn}, ending at offset {header.Commit.End}), so it is a write the crash interrupted before it was acknowledged"
                        + (after >= 0 ? $" (a record found further on, at offset {after}, was not acknowledged either: written out of order before a power loss)" : string.Empty)
                    : $"{reader.Problem}; version 1 file: taken as a write the crash interrupted";
                long length = reader.Length - stop;
                reader.Dispose();
                using (WritableFile file = fileSystem.OpenFile(path))
                {
                    file.SetLength(stop);
                    file.Sync();
                }

                dropped.Add(new WalDroppedRange(path, stop, length, WalDropKind.TornTail, reason));
            }

            if (damage is null && newest && header.HasCommitSlots && header.Commit.Sealed)
            {
                damage = new Damage(i, path, WalFormat.CommitSlotOffset(header.CommitSlot),
                    $"the file is sealed (the next file, first LSN {reader.ExpectedLsn}, was created before any record went to it) but no later WAL file exists: it was deleted", WholeFile: false, MissingSuccessor: reader.ExpectedLsn);
            }

            if (damage is not null)
            {
                break;
            }

            expectedNext = reader.ExpectedLsn;
            newestEnd = stop;
            newestHeader = header;
            previous = new FileState(path, header, stop, reader.ExpectedLsn);
        }

        if (damage is not null)
        {
            if (options.Recovery == WalRecoveryMode.Strict)
            {
                throw new StorageCorruptionException(damage.Path, damage.Offset,
                    $"{damage.Problem}. Acknowledged records are damaged or missing, so the log is not opened; its repair mode (WalOptions.Recovery = Repair; on a silo, the setting Silo:Shard:WalRecovery=Repair for one restart) opens it with the records before this point and reports what it drops");
            }

            (expectedNext, newestEnd, newestHeader) = Repair(fileSystem, directory, files, damage, previous, dropped);
            changed = true;
        }

        if (changed)
        {
            DirectorySync.Sync(directory);
        }

        WalRecoveryReport report = dropped.Count == 0 && warnings.Count == 0 ? WalRecoveryReport.Clean : new WalRecoveryReport(dropped, warnings);
        return new Result(files, files.Count == 0 ? 0 : expectedNext, newestEnd, newestHeader, report);
    }

    // Reads every record and checks them against the commit mark. Returns the damage found, if any;
    // stop is the offset of the bad bytes or of the end, status what was found there.
    private static Damage? ScanRecords(WalFileReader reader, int index, bool newest, out long stop, out WalReadStatus status)
    {
        WalFileHeader header = reader.Header;
        WalCommitMark mark = header.Commit;
        string path = reader.Path;
        while ((status = reader.Next()) == WalReadStatus.Record)
        {
            if (!header.HasCommitSlots)
            {
                continue;
            }

            if (reader.RecordOffset < mark.End && reader.ValidEnd > mark.End)
            {
                stop = reader.RecordOffset;
                return new Damage(index, path, stop, $"record LSN {reader.Lsn} runs from offset {stop} to {reader.ValidEnd}, across the commit mark's end offset {mark.End}", WholeFile: false);
            }

            if (reader.ValidEnd == mark.End && reader.Lsn != mark.LastLsn)
            {
                stop = reader.RecordOffset;
                return new Damage(index, path, stop, $"the record ending at the commit mark's offset {mark.End} has LSN {reader.Lsn}, the mark says {mark.LastLsn}", WholeFile: false);
            }
        }

        stop = reader.RecordOffset;
        if (header.HasCommitSlots && stop < mark.End)
        {
            string problem = status == WalReadStatus.Bad
                ? $"{reader.Problem}; the record is acknowledged (the commit mark says records through LSN {mark.LastLsn} end at offset {mark.End})"
                : $"the file ends at offset {stop}, but acknowledged records (through LSN {mark.LastLsn}) end at offset {mark.End}: the file was cut";
            return new Damage(index, path, stop, problem, WholeFile: false);
        }

        if (status == WalReadStatus.Bad && !newest)
        {
            return new Damage(index, path, stop, $"{reader.Problem} (in a file that is not the newest, where every record was acknowledged)", WholeFile: false);
        }

        return null;
    }

    // A newest file without a valid header that provably never held a record: version 2 files get
    // records only after the file before them is sealed. After a version 1 file (which has no seal),
    // the version 1 rule: a file no longer than a version 1 header, which does not say version 2.
    private static bool IsUnfinishedCreation(WalFileReader reader, FileState previous)
    {
        if (previous.Header.HasCommitSlots)
        {
            return !previous.Header.Commit.Sealed;
        }

        if (reader.Length > WalFormat.Version1HeaderSize)
        {
            return false;
        }

        byte[] bytes = File.ReadAllBytes(reader.Path);
        return bytes.Length < 8 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)) == WalFormat.Version1;
    }

    private static (long NextLsn, long NewestEnd, WalFileHeader NewestHeader) Repair(FileSystem fileSystem, string directory, List<long> files, Damage damage, FileState? previous, List<WalDroppedRange> dropped)
    {
        string suffix = " (dropped: WalOptions.Recovery = Repair)";
        FileState? kept = previous;
        if (damage.MissingSuccessor > 0)
        {
            dropped.Add(new WalDroppedRange(Path.Combine(directory, WalFormat.FileName(damage.MissingSuccessor)), 0, 0, WalDropKind.Damaged, damage.Problem + suffix));
            kept = ReadState(damage.Path);
        }
        else if (damage.WholeFile)
        {
            dropped.Add(new WalDroppedRange(damage.Path, 0, new FileInfo(damage.Path).Length, WalDropKind.Damaged, $"at offset {damage.Offset}: {damage.Problem}{suffix}"));
            fileSystem.DeleteFile(damage.Path);
        }
        else
        {
            long length = new FileInfo(damage.Path).Length;
            dropped.Add(new WalDroppedRange(damage.Path, damage.Offset, length - damage.Offset, WalDropKind.Damaged, damage.Problem + suffix));
            using (WritableFile file = fileSystem.OpenFile(damage.Path))
            {
                file.SetLength(damage.Offset);
                file.Sync();
            }

            kept = ReadState(damage.Path);
        }

        for (int i = damage.FileIndex + 1; i < files.Count; i++)
        {
            string path = Path.Combine(directory, WalFormat.FileName(files[i]));
            dropped.Add(new WalDroppedRange(path, 0, new FileInfo(path).Length, WalDropKind.Damaged, $"follows the damage at offset {damage.Offset} of '{damage.Path}'{suffix}"));
            fileSystem.DeleteFile(path);
        }

        int keep = damage.WholeFile ? damage.FileIndex : damage.FileIndex + 1;
        files.RemoveRange(keep, files.Count - keep);
        if (kept is null)
        {
            return (0, 0, default);
        }

        if (kept.Header.HasCommitSlots)
        {
            // The new newest file's commit mark must not claim the dropped records, nor a successor.
            WalCommitMark mark = kept.End == kept.Header.Size
                ? WalCommitMark.Empty(kept.Header.FirstLsn)
                : new WalCommitMark(kept.End, kept.NextLsn - 1, Sealed: false);
            Span<byte> slot = stackalloc byte[WalFormat.CommitSlotSize];
            WalFormat.WriteCommitSlot(slot, kept.Header.FirstLsn, mark);
            using WritableFile file = fileSystem.OpenFile(kept.Path);
            file.Write(slot, WalFormat.CommitSlotOffset(0));
            file.Write(slot, WalFormat.CommitSlotOffset(1));
            file.Sync();
            kept = kept with { Header = kept.Header with { Commit = mark, CommitSlot = 0, DamagedSlot = null } };
        }

        return (kept.NextLsn, kept.End, kept.Header);
    }

    // The state of a file whose records are all valid up to its (new) end.
    private static FileState ReadState(string path)
    {
        using WalFileReader reader = new(path);
        while (reader.Next() == WalReadStatus.Record)
        {
        }

        return new FileState(path, reader.Header, reader.ValidEnd, reader.ExpectedLsn);
    }

    private static bool RemoveUnfinishedCreations(FileSystem fileSystem, string directory, List<WalDroppedRange> dropped)
    {
        bool removed = false;
        foreach (string path in Directory.EnumerateFiles(directory, "*" + WalFormat.FileExtension + AtomicFile.TempSuffix))
        {
            dropped.Add(new WalDroppedRange(path, 0, new FileInfo(path).Length, WalDropKind.UnfinishedFile,
                "temporary file of a WAL file creation that did not finish (files get their name only once their header is durable)"));
            fileSystem.DeleteFile(path);
            removed = true;
        }

        return removed;
    }

    internal static List<long> ListFiles(string directory)
    {
        List<long> files = [];
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            if (WalFormat.TryParseFileName(Path.GetFileName(path), out long firstLsn))
            {
                files.Add(firstLsn);
            }
        }

        files.Sort();
        return files;
    }

    // MissingSuccessor: the first LSN of a file that a sealed newest file says exists, else 0.
    private sealed record Damage(int FileIndex, string Path, long Offset, string Problem, bool WholeFile, long MissingSuccessor = 0);

    private sealed record FileState(string Path, WalFileHeader Header, long End, long NextLsn);
}
