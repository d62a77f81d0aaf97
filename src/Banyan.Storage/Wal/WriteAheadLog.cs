using System.Buffers;
using Banyan.Storage.Durability;
using Microsoft.Win32.SafeHandles;

namespace Banyan.Storage.Wal;

/// <summary>
/// Write-ahead log of one shard: a directory of files <c>&lt;016x first LSN&gt;.wal</c>, each a
/// header and a sequence of length-prefixed, CRC-32C-checked records carrying opaque payloads
/// (encoded write batches). Every record gets the next log sequence number (LSN), starting at
/// <see cref="WalOptions.MinimumNextLsn"/> and increasing by one.
/// </summary>
/// <remarks>
/// <para><b>Group commit.</b> <see cref="Append"/> writes the record to the file (no fsync yet)
/// and then waits until a sync covers it. The first writer that finds no sync running becomes
/// the leader: it fsyncs on behalf of every record written so far, wakes the writers those
/// records belong to, and repeats while more are waiting. So under load one fsync serves many
/// writers, with no background thread. When <see cref="Append"/> returns, the record survives
/// kill -9 and power loss.</para>
/// <para><b>Recovery.</b> <see cref="Open"/> checks every record. A bad record at the end of the
/// newest file is a torn write that was never acknowledged: the file is cut back to the last
/// whole record. A bad record anywhere else, or one followed by any valid record, is damage to
/// acknowledged data and raises <see cref="StorageCorruptionException"/> naming file and offset.</para>
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
    private readonly List<long> _closedFiles; // first LSNs of the files before the active one, ascending
    private readonly List<Waiter> _waiters = [];

    private SafeFileHandle _active;
    private long _activeFirstLsn;
    private long _activeLength;
    private long _nextLsn;
    private bool _closed;
    private Exception? _failure;

    private bool _syncRunning;
    private long _durableLsn;

    private WriteAheadLog(string directory, WalOptions options, List<long> closedFiles, SafeFileHandle active, long activeFirstLsn, long activeLength, long nextLsn, WalRecoveryReport recovery)
    {
        DirectoryPath = directory;
        _options = options;
        _closedFiles = closedFiles;
        _active = active;
        _activeFirstLsn = activeFirstLsn;
        _activeLength = activeLength;
        _nextLsn = nextLsn;
        _durableLsn = nextLsn - 1;
        Recovery = recovery;
    }

    /// <summary>The directory holding the WAL files.</summary>
    public string DirectoryPath { get; }

    /// <summary>What opening repaired.</summary>
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
    /// record and repairs a torn tail.
    /// </summary>
    /// <exception cref="StorageCorruptionException">A record other than a torn tail is damaged, or the files do not form one LSN sequence.</exception>
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

        Directory.CreateDirectory(directory);
        List<long> files = ListFiles(directory);
        WalRecoveryReport recovery = WalRecoveryReport.Clean;
        long expectedNext = 0;
        long lastLength = 0;
        for (int i = 0; i < files.Count; i++)
        {
            bool newest = i == files.Count - 1;
            string path = Path.Combine(directory, WalFormat.FileName(files[i]));
            using WalFileReader reader = new(path);
            if (!reader.HeaderValid)
            {
                if (newest && reader.Length <= WalFormat.HeaderSize)
                {
                    // Created but the header never reached the disk: no record was acknowledged in it.
                    reader.Dispose();
                    File.Delete(path);
                    DirectorySync.Sync(directory);
                    recovery = recovery with { RemovedEmptyFile = path };
                    files.RemoveAt(i);
                    break;
                }

                throw new StorageCorruptionException(path, 0, reader.HeaderProblem ?? "invalid file header");
            }

            if (reader.FirstLsn != files[i])
            {
                throw new StorageCorruptionException(path, 8, $"header first LSN {reader.FirstLsn} does not match the file name");
            }

            if (i > 0 && reader.FirstLsn != expectedNext)
            {
                throw new StorageCorruptionException(path, 8, $"file starts at LSN {reader.FirstLsn} but the previous file ends before LSN {expectedNext}: a WAL file is missing");
            }

            WalReadStatus status;
            while ((status = reader.Next()) == WalReadStatus.Record)
            {
            }

            if (status == WalReadStatus.Bad)
            {
                if (!newest || reader.HasValidRecordAfterBadOne())
                {
                    throw new StorageCorruptionException(path, reader.RecordOffset, reader.Problem ?? "invalid record");
                }

                long removed = reader.Length - reader.ValidEnd;
                string problem = reader.Problem ?? "invalid record";
                long validEnd = reader.ValidEnd;
                reader.Dispose();
                using (SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
                {
                    RandomAccess.SetLength(handle, validEnd);
                    RandomAccess.FlushToDisk(handle);
                }

                recovery = recovery with { TornFilePath = path, TornBytesRemoved = removed, TornProblem = problem };
                lastLength = validEnd;
            }
            else
            {
                lastLength = reader.ValidEnd;
            }

            expectedNext = reader.ExpectedLsn;
        }

        long nextLsn = files.Count == 0 ? options.MinimumNextLsn : expectedNext;
        SafeFileHandle active;
        long activeFirst;
        if (files.Count > 0 && nextLsn >= options.MinimumNextLsn)
        {
            activeFirst = files[^1];
            files.RemoveAt(files.Count - 1);
            active = File.OpenHandle(Path.Combine(directory, WalFormat.FileName(activeFirst)), FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        }
        else
        {
            nextLsn = Math.Max(nextLsn, options.MinimumNextLsn);
            activeFirst = nextLsn;
            active = CreateFile(directory, activeFirst);
            lastLength = WalFormat.HeaderSize;
        }

        return new WriteAheadLog(directory, options, files, active, activeFirst, lastLength, nextLsn, recovery);
    }

    /// <summary>Appends one record and returns its LSN once it is durable (see group commit above).</summary>
    /// <exception cref="StorageFullException">The disk is full; the record was not written.</exception>
    public long Append(ReadOnlySpan<byte> payload)
    {
        long lsn = Write(payload);
        Waiter? waiter = JoinSync(lsn);
        if (waiter is null)
        {
            LeadSyncs();
        }
        else
        {
            waiter.Completion.Task.GetAwaiter().GetResult();
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
            firstLsns = [.. _closedFiles, _activeFirstLsn];
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
            if (_nextLsn > _activeFirstLsn && _nextLsn - 1 <= throughLsn)
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
                long nextFirst = _closedFiles.Count > 1 ? _closedFiles[1] : _activeFirstLsn;
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
                File.Delete(path);
            }

            DirectorySync.Sync(DirectoryPath);
        }
    }

    /// <summary>Fsyncs what was written and closes the active file.</summary>
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
                    RandomAccess.FlushToDisk(_active);
                }
                catch (IOException)
                {
                    // Nothing acknowledged depends on this sync: acknowledged records were synced already.
                }
            }

            _active.Dispose();
        }
    }

    private static List<long> ListFiles(string directory)
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

    private static SafeFileHandle CreateFile(string directory, long firstLsn)
    {
        string path = Path.Combine(directory, WalFormat.FileName(firstLsn));
        SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Span<byte> header = stackalloc byte[WalFormat.HeaderSize];
            WalFormat.WriteHeader(header, firstLsn);
            RandomAccess.Write(handle, header, 0);
            RandomAccess.FlushToDisk(handle);
            DirectorySync.Sync(directory);
            return handle;
        }
        catch
        {
            handle.Dispose();
            File.Delete(path);
            throw;
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
                    RandomAccess.Write(_active, buffer.AsSpan(0, size), _activeLength);
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
        string path = Path.Combine(DirectoryPath, WalFormat.FileName(_activeFirstLsn));
        try
        {
            RandomAccess.SetLength(_active, _activeLength);
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

    // Caller holds _writeGate. The old file is fsynced before it is closed, so every record in it is durable.
    private void Rotate()
    {
        try
        {
            RandomAccess.FlushToDisk(_active);
        }
        catch (IOException ex)
        {
            // An fsync error, ENOSPC included, leaves the written records' fate unknown (see the remarks).
            _failure = ex;
            throw;
        }

        SafeFileHandle next;
        try
        {
            next = CreateFile(DirectoryPath, _nextLsn);
        }
        catch (IOException ex)
        {
            if (DiskFull.Is(ex))
            {
                throw new StorageFullException(Path.Combine(DirectoryPath, WalFormat.FileName(_nextLsn)), ex);
            }

            _failure = ex;
            throw;
        }

        lock (_syncGate)
        {
            // Everything written so far sits in the file just synced.
            _durableLsn = Math.Max(_durableLsn, _nextLsn - 1);
        }

        _closedFiles.Add(_activeFirstLsn);
        _active.Dispose();
        _active = next;
        _activeFirstLsn = _nextLsn;
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
            Exception? failure = null;
            SafeFileHandle? handle = null;
            bool referenced = false;
            lock (_writeGate)
            {
                target = _nextLsn - 1;
                if (_failure is not null)
                {
                    failure = _failure;
                }
                else if (!_closed)
                {
                    // The reference keeps the handle open should a rotation close it meanwhile;
                    // every record up to target is in this file or in one already synced.
                    handle = _active;
                    handle.DangerousAddRef(ref referenced);
                }
            }

            if (handle is not null)
            {
                try
                {
                    RandomAccess.FlushToDisk(handle);
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
                    if (referenced)
                    {
                        handle.DangerousRelease();
                    }
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
