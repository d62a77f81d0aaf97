using System.Buffers;
using System.Diagnostics;
using Banyan.Storage.Durability;
using Banyan.Storage.Telemetry;

namespace Banyan.Storage.Wal;

/// <summary>
/// Write-ahead log of one shard: a directory of files <c>&lt;016x first LSN&gt;.wal</c>, each a
/// header with two commit slots and a sequence of length-prefixed, CRC-32C-checked records carrying
/// opaque payloads (encoded write batches). Every record gets the next log sequence number (LSN),
/// starting at <see cref="WalOptions.MinimumNextLsn"/> and increasing by one. Every change to the
/// files goes through the durability kit's <see cref="FileSystem"/>.
/// </summary>
/// <remarks>
/// <para><b>Group commit.</b> <see cref="Append(ReadOnlySpan{byte})"/> writes the record to the file (no fsync yet)
/// and then waits until a sync covers it. The first writer that finds no sync running becomes
/// the leader: it fsyncs on behalf of every record written so far, records in a commit slot how far
/// the file is now acknowledged (a 24-byte write, no second fsync: it reaches the disk with the next
/// one), wakes the writers those records belong to, and repeats while more are waiting. So under
/// load one fsync serves many writers, with no background thread. When <see cref="Append(ReadOnlySpan{byte})"/>
/// returns, the record survives kill -9 and power loss.</para>
/// <para><b>Recovery.</b> <see cref="Open"/> checks every record against the commit mark. Bytes after
/// the mark in the newest file that do not form whole records are a write the crash interrupted,
/// never acknowledged: they are cut off and reported. Damage or a cut below the mark, in an older
/// file, or a missing file is damage to acknowledged data: <see cref="StorageCorruptionException"/>
/// naming file and offset, unless <see cref="WalOptions.Recovery"/> is
/// <see cref="WalRecoveryMode.Repair"/> (see <see cref="WalRecovery"/>).</para>
/// <para><b>Failures.</b> A full disk raises <see cref="StorageFullException"/>; the record is
/// removed again and the log stays usable. Any other write error, and any fsync error (a full
/// disk reported by fsync included), makes
/// the log refuse further appends (after a failed fsync the kernel's page cache can no longer be
/// trusted); the shard must be reopened.</para>
/// </remarks>
public sealed class WriteAheadLog : IDisposable
{
    private readonly object _writeGate = new();
    private readonly object _syncGate = new();
    private readonly WalOptions _options;
    private readonly FileSystem _fileSystem;
    private readonly List<long> _closedFiles; // first LSNs of the files before the active one, ascending
    private readonly List<Waiter> _waiters = [];

    private ActiveFile _active;
    private long _activeLength;
    private long _nextLsn;
    private bool _closed;
    private Exception? _failure;

    private bool _syncRunning;
    private long _durableLsn;

    private WriteAheadLog(string directory, WalOptions options, List<long> closedFiles, ActiveFile active, long activeLength, long nextLsn, WalRecoveryReport recovery)
    {
        DirectoryPath = directory;
        _options = options;
        _fileSystem = FileSystem.At(directory);
        _closedFiles = closedFiles;
        _active = active;
        _activeLength = activeLength;
        _nextLsn = nextLsn;
        _durableLsn = nextLsn - 1;
        Recovery = recovery;
    }

    /// <summary>The directory holding the WAL files.</summary>
    public string DirectoryPath { get; }

    /// <summary>What opening dropped (torn writes, unfinished files; damaged data in repair mode).</summary>
    public WalRecoveryReport Recovery { get; }

    /// <summary>The LSN the next appended record will get.</summary>
    public long NextLsn
    {
        get
        {
            lock (_writeGate)
            {
                return _nextLsn;
            }
        }
    }

    /// <summary>Every record with an LSN up to this one is on stable storage.</summary>
    public long DurableLsn
    {
        get
        {
            lock (_syncGate)
            {
                return _durableLsn;
            }
        }
    }

    /// <summary>Number of WAL files in the directory (closed ones plus the active one).</summary>
    public int FileCount
    {
        get
        {
            lock (_writeGate)
            {
                return _closedFiles.Count + 1;
            }
        }
    }

    /// <summary>
    /// Opens (creating when missing) the WAL in <paramref name="directory"/>, validates every
    /// record and cuts off a torn tail (see <see cref="WalRecovery"/>).
    /// </summary>
    /// <exception cref="StorageCorruptionException">Acknowledged records are damaged or missing (in <see cref="WalRecoveryMode.Strict"/> mode), or the files do not form one LSN sequence.</exception>
    public static WriteAheadLog Open(string directory, WalOptions? options = null)
    {
        options ??= new WalOptions();
        if (options.MinimumNextLsn < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinimumNextLsn, "WalOptions.MinimumNextLsn must be at least 1");
        }

        if (options.MaxFileSize < WalFormat.HeaderSize + WalFormat.RecordHeaderSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxFileSize, "WalOptions.MaxFileSize is smaller than a file header plus one record header");
        }

        DurableDirectory.Create(directory);
        WalRecovery.Result found = WalRecovery.Run(directory, options);
        List<long> files = found.Files;
        FileSystem fileSystem = FileSystem.At(directory);
        long nextLsn = files.Count == 0 ? options.MinimumNextLsn : found.NextLsn;
        ActiveFile active;
        long activeLength;
        if (files.Count > 0 && nextLsn >= options.MinimumNextLsn && found.NewestHeader.HasCommitSlots)
        {
            long first = files[^1];
            files.RemoveAt(files.Count - 1);
            WritableFile file = fileSystem.OpenFile(Path.Combine(directory, WalFormat.FileName(first)));
            active = new ActiveFile(file, first, found.NewestHeader.Commit, found.NewestHeader.CommitSlot ^ 1);
            activeLength = found.NewestEnd;
        }
        else
        {
            // No file yet, a version 1 newest file (appends go to a version 2 file), or a log that ends
            // below the flush point (a WAL switched off and on again): start a new file.
            nextLsn = Math.Max(nextLsn, options.MinimumNextLsn);
            active = new ActiveFile(CreateFile(fileSystem, directory, nextLsn), nextLsn, WalCommitMark.Empty(nextLsn), 0);
            activeLength = WalFormat.HeaderSize;
            if (files.Count > 0 && found.NewestHeader.HasCommitSlots)
            {
                Seal(fileSystem, Path.Combine(directory, WalFormat.FileName(files[^1])), found.NewestHeader, found.NewestEnd, found.NextLsn - 1);
            }
        }

        return new WriteAheadLog(directory, options, files, active, activeLength, nextLsn, found.Report);
    }

    /// <summary>Appends one record and returns its LSN once it is durable (see group commit above).</summary>
    /// <exception cref="StorageFullException">The disk is full; the record was not written.</exception>
    public long Append(ReadOnlySpan<byte> payload) => Append(payload, meanwhile: null);

    /// <summary>
    /// <see cref="Append(ReadOnlySpan{byte})"/> that runs <paramref name="meanwhile"/> on the caller's thread once the
    /// record is written and before the caller waits for the fsync: a writer that waits for another's fsync does its
    /// own work during it, and a leader does it before the fsync it leads, so records written meanwhile join that
    /// fsync. The record is made durable (or the log fails) whether or not <paramref name="meanwhile"/> throws; its
    /// exception is then the caller's.
    /// </summary>
    /// <exception cref="StorageFullException">The disk is full; the record was not written and <paramref name="meanwhile"/> did not run.</exception>
    public long Append(ReadOnlySpan<byte> payload, Action? meanwhile)
    {
        long lsn = Write(payload);
        Waiter? waiter = JoinSync(lsn);
        try
        {
            meanwhile?.Invoke();
        }
        finally
        {
            // A leader that did not lead would leave every later writer waiting: it leads whatever happened above.
            if (waiter is null)
            {
                LeadSyncs();
            }
            else
            {
                waiter.Completion.Task.GetAwaiter().GetResult();
            }
        }

        return lsn;
    }

    /// <summary>
    /// Appends one record and completes with its LSN once it is durable. The leader's fsync runs
    /// on a thread-pool thread, so the caller's turn is not blocked by it.
    /// </summary>
    /// <exception cref="StorageFullException">The disk is full; the record was not written.</exception>
    public async ValueTask<long> AppendAsync(ReadOnlyMemory<byte> payload)
    {
        long lsn = Write(payload.Span);
        Waiter? waiter = JoinSync(lsn);
        if (waiter is null)
        {
            await Task.Run(LeadSyncs).ConfigureAwait(false);
        }
        else
        {
            await waiter.Completion.Task.ConfigureAwait(false);
        }

        return lsn;
    }

    /// <summary>
    /// Calls <paramref name="handler"/> for every record with an LSN above <paramref name="afterLsn"/>,
    /// in LSN order. Meant for startup, before appends begin. Returns the number of records replayed.
    /// </summary>
    public long Replay(long afterLsn, WalReplayHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        long[] firstLsns;
        long activeLength;
        lock (_writeGate)
        {
            firstLsns = [.. _closedFiles, _active.FirstLsn];
            activeLength = _activeLength;
        }

        long count = 0;
        for (int i = 0; i < firstLsns.Length; i++)
        {
            if (i + 1 < firstLsns.Length && firstLsns[i + 1] - 1 <= afterLsn)
            {
                continue;
            }

            string path = Path.Combine(DirectoryPath, WalFormat.FileName(firstLsns[i]));
            using WalFileReader reader = new(path);
            if (!reader.HeaderValid)
            {
                throw new StorageCorruptionException(path, 0, reader.HeaderProblem ?? "invalid file header");
            }

            bool isActive = i == firstLsns.Length - 1;
            while (true)
            {
                if (isActive && reader.ValidEnd >= activeLength)
                {
                    break;
                }

                WalReadStatus status = reader.Next();
                if (status == WalReadStatus.End)
                {
                    break;
                }

                if (status == WalReadStatus.Bad)
                {
                    throw new StorageCorruptionException(path, reader.RecordOffset, reader.Problem ?? "invalid record");
                }

                if (reader.Lsn > afterLsn)
                {
                    handler(reader.Lsn, reader.Payload);
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Declares every record up to <paramref name="throughLsn"/> (inclusive) no longer needed and
    /// deletes the WAL files that hold only such records. When the active file qualifies too, a
    /// new file is started so it can be deleted; on a full disk that new file is skipped (the active
    /// file is deleted by a later truncation) and the closed files are deleted all the same.
    /// </summary>
    public void Truncate(long throughLsn)
    {
        List<string> doomed = [];
        lock (_writeGate)
        {
            ThrowIfUnusable();
            if (_nextLsn > _active.FirstLsn && _nextLsn - 1 <= throughLsn)
            {
                try
                {
                    Rotate();
                }
                catch (StorageFullException)
                {
                    // No room for a new file: the active one keeps its no longer needed records until a
                    // later truncation. The closed files below still go, which is what frees space; the
                    // caller's flush or merge is already installed and must not be reported as failed.
                }
            }

            while (_closedFiles.Count > 0)
            {
                long nextFirst = _closedFiles.Count > 1 ? _closedFiles[1] : _active.FirstLsn;
                if (nextFirst - 1 > throughLsn)
                {
                    break;
                }

                doomed.Add(Path.Combine(DirectoryPath, WalFormat.FileName(_closedFiles[0])));
                _closedFiles.RemoveAt(0);
            }
        }

        if (doomed.Count > 0)
        {
            foreach (string path in doomed)
            {
                _fileSystem.DeleteFile(path);
            }

            DirectorySync.Sync(DirectoryPath);
        }
    }

    /// <summary>
    /// Fsyncs what was written, records it in a commit slot (fsynced too, so a clean shutdown leaves no
    /// record outside the commit mark) and closes the active file.
    /// </summary>
    public void Dispose()
    {
        lock (_writeGate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            if (_failure is null)
            {
                try
                {
                    _active.File.Sync();
                    if (_nextLsn - 1 > _active.Mark.LastLsn)
                    {
                        _active.WriteMark(new WalCommitMark(_activeLength, _nextLsn - 1, Sealed: false));
                        _active.File.Sync();
                    }
                }
                catch (IOException ex)
                {
                    // Appends still waiting for a sync must not be acknowledged on the strength of this one.
                    _failure = ex;
                }
            }

            _active.Release();
        }
    }

    // Creates a version 2 file under a temporary name, fsyncs it, then renames it and fsyncs the
    // directory: a file under its final name always has a complete, durable header.
    private static WritableFile CreateFile(FileSystem fileSystem, string directory, long firstLsn)
    {
        string path = Path.Combine(directory, WalFormat.FileName(firstLsn));
        string temp = path + AtomicFile.TempSuffix;
        WritableFile file = fileSystem.CreateFile(temp, overwrite: true);
        bool renamed = false;
        try
        {
            Span<byte> header = stackalloc byte[WalFormat.HeaderSize];
            WalFormat.WriteHeader(header, firstLsn);
            file.Write(header, 0);
            file.Sync();
            fileSystem.MoveFile(temp, path, overwrite: false);
            renamed = true;
            DirectorySync.Sync(directory);
            return file;
        }
        catch (IOException ex)
        {
            file.Dispose();
            TryDelete(fileSystem, renamed ? path : temp);
            if (DiskFull.Is(ex))
            {
                throw new StorageFullException(path, ex);
            }

            throw;
        }
    }

    // Marks a file complete: its successor exists and gets records only after this returns (so a
    // newest file without a valid header after an unsealed one provably never held a record).
    private static void Seal(FileSystem fileSystem, string path, WalFileHeader header, long end, long lastLsn)
    {
        using WritableFile file = fileSystem.OpenFile(path);
        ActiveFile sealing = new(file, header.FirstLsn, header.Commit, header.CommitSlot ^ 1);
        sealing.WriteMark(new WalCommitMark(end, lastLsn, Sealed: true));
        file.Sync();
    }

    private static void TryDelete(FileSystem fileSystem, string path)
    {
        try
        {
            fileSystem.DeleteFile(path);
        }
        catch (IOException)
        {
            // A temporary file is removed at the next open; a named one without records is an unfinished creation.
        }
    }

    private long Write(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > WalFormat.MaxPayloadSize)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"a WAL record payload may hold at most {WalFormat.MaxPayloadSize} bytes");
        }

        int size = WalFormat.RecordHeaderSize + payload.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            lock (_writeGate)
            {
                ThrowIfUnusable();
                if (_activeLength + size > _options.MaxFileSize && _activeLength > WalFormat.HeaderSize)
                {
                    Rotate();
                }

                long lsn = _nextLsn;
                WalFormat.WriteRecord(buffer.AsSpan(0, size), lsn, payload);
                try
                {
                    _active.File.Write(buffer.AsSpan(0, size), _activeLength);
                    StorageMetrics.WalBytes.Add(size);
                }
                catch (IOException ex)
                {
                    HandleWriteFailure(ex);
                    throw;
                }

                _activeLength += size;
                _nextLsn = lsn + 1;
                return lsn;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Caller holds _writeGate. Cuts a partly written record off again; a full disk leaves the log usable.
    private void HandleWriteFailure(IOException ex)
    {
        string path = Path.Combine(DirectoryPath, WalFormat.FileName(_active.FirstLsn));
        try
        {
            _active.File.SetLength(_activeLength);
        }
        catch (IOException)
        {
            _failure = ex;
        }

        if (DiskFull.Is(ex))
        {
            throw new StorageFullException(path, ex);
        }

        _failure = ex;
    }

    // Caller holds _writeGate. The old file is fsynced before the new one is created, and sealed
    // (fsynced again) before any record goes to the new one, so every record in it is durable and a
    // deleted successor cannot go unnoticed.
    private void Rotate()
    {
        try
        {
            _active.File.Sync();
        }
        catch (IOException ex)
        {
            // An fsync error, ENOSPC included, leaves the written records' fate unknown (see the remarks).
            _failure = ex;
            throw;
        }

        WritableFile next;
        try
        {
            next = CreateFile(_fileSystem, DirectoryPath, _nextLsn);
        }
        catch (StorageFullException)
        {
            throw;
        }
        catch (IOException ex)
        {
            _failure = ex;
            throw;
        }

        try
        {
            _active.WriteMark(new WalCommitMark(_activeLength, _nextLsn - 1, Sealed: true));
            _active.File.Sync();
        }
        catch (IOException ex)
        {
            next.Dispose();
            _failure = ex;
            throw;
        }

        lock (_syncGate)
        {
            // Everything written so far sits in the file just synced.
            _durableLsn = Math.Max(_durableLsn, _nextLsn - 1);
        }

        _closedFiles.Add(_active.FirstLsn);
        _active.Release();
        _active = new ActiveFile(next, _nextLsn, WalCommitMark.Empty(_nextLsn), 0);
        _activeLength = WalFormat.HeaderSize;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_failure is not null)
        {
            throw new IOException($"the WAL in '{DirectoryPath}' failed earlier and accepts no more writes; reopen the shard", _failure);
        }
    }

    // Returns null when the caller must lead the sync, otherwise the waiter to block on.
    private Waiter? JoinSync(long lsn)
    {
        lock (_syncGate)
        {
            if (_durableLsn >= lsn)
            {
                return Waiter.AlreadyDone;
            }

            if (!_syncRunning)
            {
                _syncRunning = true;
                return null;
            }

            Waiter waiter = new(lsn);
            _waiters.Add(waiter);
            return waiter;
        }
    }

    private void LeadSyncs()
    {
        List<Waiter> done = [];
        while (true)
        {
            long target;
            long end = 0;
            Exception? failure = null;
            ActiveFile? file = null;
            lock (_writeGate)
            {
                target = _nextLsn - 1;
                if (_failure is not null)
                {
                    failure = _failure;
                }
                else if (!_closed)
                {
                    // The reference keeps the file open should a rotation close it meanwhile; every
                    // record up to target is in this file (ending at end) or in one already synced.
                    file = _active;
                    end = _activeLength;
                    file.AddReference();
                }
            }

            if (file is not null)
            {
                try
                {
                    long syncStarted = Stopwatch.GetTimestamp();
                    file.File.Sync();
                    StorageMetrics.WalFsyncDuration.Record(Stopwatch.GetElapsedTime(syncStarted).TotalSeconds);
                    lock (_writeGate)
                    {
                        // The commit mark is written before any writer is woken: when one is, the kernel
                        // holds a mark covering its record, so a process kill cannot make it look torn.
                        if (_failure is not null)
                        {
                            failure = _failure;
                        }
                        else if (ReferenceEquals(file, _active) && !_closed && target > file.Mark.LastLsn)
                        {
                            file.WriteMark(new WalCommitMark(end, target, Sealed: false));
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failure = ex;
                    lock (_writeGate)
                    {
                        _failure ??= ex;
                    }
                }
                finally
                {
                    file.Release();
                }
            }

            bool more;
            lock (_syncGate)
            {
                if (failure is null)
                {
                    _durableLsn = Math.Max(_durableLsn, target);
                }

                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (failure is not null || _waiters[i].Lsn <= target)
                    {
                        done.Add(_waiters[i]);
                        _waiters.RemoveAt(i);
                    }
                }

                more = _waiters.Count > 0;
                _syncRunning = more;
            }

            foreach (Waiter waiter in done)
            {
                if (failure is null)
                {
                    waiter.Completion.TrySetResult();
                }
                else
                {
                    waiter.Completion.TrySetException(new IOException($"fsync of the WAL in '{DirectoryPath}' failed; the write was not acknowledged", failure));
                }
            }

            done.Clear();
            if (failure is not null)
            {
                throw new IOException($"fsync of the WAL in '{DirectoryPath}' failed; the write was not acknowledged", failure);
            }

            if (!more)
            {
                return;
            }
        }
    }

    /// <summary>The file appends go to, with its commit slots; reference-counted so a sync can outlive a rotation.</summary>
    private sealed class ActiveFile(WritableFile file, long firstLsn, WalCommitMark mark, int nextSlot)
    {
        private int _references = 1;
        private int _nextSlot = nextSlot;

        public WritableFile File => file;

        public long FirstLsn => firstLsn;

        /// <summary>The commit mark last written.</summary>
        public WalCommitMark Mark { get; private set; } = mark;

        // Writes the slot not holding the current mark, so a torn write leaves the current one intact.
        // Callers serialize (the WAL's write gate, or a file nobody else has open).
        public void WriteMark(WalCommitMark next)
        {
            Span<byte> slot = stackalloc byte[WalFormat.CommitSlotSize];
            WalFormat.WriteCommitSlot(slot, firstLsn, next);
            file.Write(slot, WalFormat.CommitSlotOffset(_nextSlot));
            _nextSlot ^= 1;
            Mark = next;
        }

        public void AddReference() => Interlocked.Increment(ref _references);

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                file.Dispose();
            }
        }
    }

    private sealed class Waiter(long lsn)
    {
        public static readonly Waiter AlreadyDone = CreateDone();

        public long Lsn { get; } = lsn;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private static Waiter CreateDone()
        {
            Waiter waiter = new(0);
            waiter.Completion.SetResult();
            return waiter;
        }
    }
}
