using System.Runtime.InteropServices;
using Banyan.Storage.Durability;
using Banyan.Storage.Parts;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

/// <summary>
/// The one owner of a shard's live parts, in the manner of BanyanDB's introducer
/// (<c>banyand/measure/introducer.go</c>) and VictoriaMetrics' reference-counted <c>partWrapper</c>s:
/// it holds the current <see cref="ShardView"/> and makes the next one for every change — a write
/// buffered, buffered writes sealed into a memory part, a flush's disk part replacing memory parts, a
/// merge's part replacing a window of disk parts — each change one short step under one lock. Flush
/// and merge results are first made durable in a snapshot file (<c>&lt;epoch&gt;.snp</c>), one install at
/// a time, then introduced. Readers take the current view with a reference and never wait for
/// anything else.
/// </summary>
/// <remarks>
/// <para>Two gates: <c>_gate</c> (a monitor, held for the few array copies that make a view, never
/// during I/O) and <c>_installGate</c> (an async semaphore, held by one flush or merge install while it
/// writes its snapshot file, so two installs never compute their part lists from the same state).</para>
/// <para>References: the part set holds its current view, a view its <see cref="PartList"/>, a part list
/// one reference per part; a new part enters a list with its creator's reference handed over.</para>
/// <para>The two newest snapshot files are kept. Parts the older one lists and the newer one does not
/// (a merge's inputs) are held, marked obsolete, until the next install makes that snapshot obsolete
/// too; then the last reference deletes their folders. A shard gone quiet gets that next install from
/// <see cref="InstallSettleAsync"/>: the current list again under a new epoch, so the merge inputs and
/// the WAL records only the older snapshot needed are let go.</para>
/// <para>Memory accounting lives here too (bytes reserved by writes, buffered, and held by memory
/// parts), so back-pressure sees the same state the views do; every change completes
/// <see cref="NextChange"/>, which writers waiting for memory await. Every change of it is mirrored in
/// the process's <see cref="MemoryBudget"/> when there is one, and the close gives back what is left.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The install gate is a SemaphoreSlim whose wait handle is never created: nothing to dispose, and flushes still waiting on it when the shard closes must get the closed error, not a disposed semaphore.")]
internal sealed class PartSet
{
    private const int MinBufferedCapacity = 64;

    private readonly object _gate = new();
    private readonly SemaphoreSlim _installGate = new(1, 1);
    private readonly SnapshotStore _store;
    private readonly ShardResources _resources;
    private readonly MemoryBudget? _budget;

    // Guarded by _gate.
    private ShardView _current;
    private long _epoch;
    private long _memoryBytes;
    private TaskCompletionSource? _change;
    private bool _closed;

    // Guarded by _gate: the array the current view's buffered writes are a window of; slots from _bufferedEnd on are
    // free (see Append).
    private BufferedWrite[] _bufferedArray = [];
    private int _bufferedEnd;

    // Guarded by _installGate.
    private long _flushedLsn;
    private long _snapshotEpoch;
    private List<PartHandle<IPartReader>> _heldForPrevious = [];
    private List<long> _heldIdsForPrevious;

    // True while the fallback snapshot lists the same parts and flush point as the newest one (nothing to settle).
    private bool _settled;

    private long _nextId;

    /// <summary>
    /// Takes over <paramref name="disk"/> (each handle's creator reference passes to the first view)
    /// as loaded from the snapshot <paramref name="load"/>; <paramref name="heldIds"/> are parts only the
    /// fallback snapshot lists, deleted at the first install. Memory held is also counted in <paramref name="budget"/>
    /// (when given) until the part set closes.
    /// </summary>
    public PartSet(SnapshotStore store, PartHandle<IPartReader>[] disk, SnapshotLoadResult load, List<long> heldIds, long bufferedThrough, ShardResources resources, MemoryBudget? budget = null)
    {
        _store = store;
        _resources = resources;
        _budget = budget;
        _nextId = load.HighestId;
        _flushedLsn = load.Current?.FlushedLsn ?? 0;
        _snapshotEpoch = load.Current?.Epoch ?? 0;
        _heldIdsForPrevious = heldIds;
        _settled = load.Previous is not { } previous
            || (heldIds.Count == 0 && previous.FlushedLsn == load.Current!.FlushedLsn && previous.PartIds.SequenceEqual(load.Current.PartIds));
        _current = NewView(new PartList(disk, []), ReadOnlyMemory<BufferedWrite>.Empty, bufferedThrough, 0);
        foreach (PartHandle<IPartReader> handle in disk)
        {
            handle.Release(); // the view holds it now
        }
    }

    /// <summary>Every WAL record up to this LSN is in the disk parts of the newest snapshot file.</summary>
    public long FlushedLsn => Volatile.Read(ref _flushedLsn);

    /// <summary>Bytes reserved by writes in progress, buffered and held by memory parts.</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_gate)
            {
                return _memoryBytes;
            }
        }
    }

    /// <summary>The current view, with a reference the caller releases.</summary>
    /// <exception cref="ObjectDisposedException">The shard is closed.</exception>
    public ShardView Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _current.AddRef();
            return _current;
        }
    }

    /// <summary>A fresh id for a part folder or a snapshot file (one counter: part ids stay below the epoch of the snapshot listing them).</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>A task that completes at the next change (a write buffered, a seal, an install, memory returned).</summary>
    public Task NextChange()
    {
        lock (_gate)
        {
            _change ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _change.Task;
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> of memory for a write unless that would cross
    /// <paramref name="limit"/> or the memory budget's bound; a write larger than a limit gets it when
    /// nothing else is held, so no write waits forever.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The shard is closed.</exception>
    public bool TryReserve(long bytes, long limit)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_memoryBytes > 0 && _memoryBytes + bytes > limit)
            {
                return false;
            }

            if (_budget is not null && !_budget.TryReserve(bytes))
            {
                return false;
            }

            _memoryBytes += bytes;
            return true;
        }
    }

    /// <summary>Gives back a reservation whose write failed before it was buffered.</summary>
    public void Unreserve(long bytes)
    {
        lock (_gate)
        {
            _memoryBytes -= bytes;
            if (!_closed)
            {
                _budget?.Release(bytes); // once closed, the budget got everything back at the close
            }

            SignalChange();
        }
    }

    /// <summary>Charges memory without the limit (WAL replay at open: what was acknowledged must come back).</summary>
    public void Charge(long bytes)
    {
        lock (_gate)
        {
            _memoryBytes += bytes;
            _budget?.Charge(bytes);
        }
    }

    /// <summary>
    /// Buffers an acknowledged write (its memory already reserved): the next view lists it, in LSN
    /// order, and extends <see cref="ShardView.BufferedThrough"/> when it closes the LSN run. The new view
    /// shares the part list (one reference, not one per part). Returns the new view's buffered rows and
    /// writes, its memory parts and the memory held (for the caller's seal and flush triggers).
    /// </summary>
    public (long BufferedRows, int BufferedWrites, int MemoryParts, long MemoryBytes) IntroduceWrite(BufferedWrite write)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            ShardView current = _current;
            ReadOnlySpan<BufferedWrite> buffered = current.Buffered.Span;
            int at = buffered.Length;
            while (at > 0 && buffered[at - 1].Lsn > write.Lsn)
            {
                at--;
            }

            ReadOnlyMemory<BufferedWrite> nextMemory = Append(current.Buffered, at, write);
            ReadOnlySpan<BufferedWrite> next = nextMemory.Span;
            long through = current.BufferedThrough;
            if (write.Lsn == through + 1)
            {
                through = write.Lsn;
                for (int i = at + 1; i < next.Length && next[i].Lsn == through + 1; i++)
                {
                    through++;
                }
            }

            Replace(new ShardView(++_epoch, current.Parts, nextMemory, through, current.BufferedRows + write.Batch.Count, _resources));
            return (_current.BufferedRows, _current.Buffered.Length, _current.Memory.Length, _memoryBytes);
        }
    }

    /// <summary>The buffered writes a seal may take: those up to <see cref="ShardView.BufferedThrough"/>, from the first (an unbroken LSN run).</summary>
    public BufferedWrite[] SealablePrefix()
    {
        lock (_gate)
        {
            ShardView current = _current;
            int count = 0;
            ReadOnlySpan<BufferedWrite> buffered = current.Buffered.Span;
            while (count < buffered.Length && buffered[count].Lsn <= current.BufferedThrough)
            {
                count++;
            }

            return buffered[..count].ToArray();
        }
    }

    /// <summary>
    /// Replaces the first <paramref name="sealedWrites"/> buffered writes by the memory parts built from
    /// them (only one seal runs at a time, so they are still first). The bytes of the writes are charged
    /// to the last part, so a flush frees them all together. Returns the memory parts the new view
    /// holds (0 once closed: the parts are dropped).
    /// </summary>
    public int IntroduceMemoryParts(int sealedWrites, IReadOnlyList<MemoryPart> parts, long firstLsn, long lastLsn, long bytes)
    {
        var entries = new MemoryPartEntry[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            var handle = new PartHandle<IPartReader>(lastLsn, parts[i], null, _resources.PartCreated());
            entries[i] = new MemoryPartEntry(firstLsn, lastLsn, handle, i == parts.Count - 1 ? bytes : 0);
        }

        int count = 0;
        lock (_gate)
        {
            ShardView current = _current;
            if (!_closed)
            {
                long rows = 0;
                ReadOnlySpan<BufferedWrite> buffered = current.Buffered.Span;
                for (int i = 0; i < sealedWrites; i++)
                {
                    if (buffered[i].Lsn > current.BufferedThrough || (i > 0 && buffered[i].Lsn != buffered[i - 1].Lsn + 1))
                    {
                        throw new InvalidOperationException("bug: a seal took writes that are not the first unbroken LSN run");
                    }

                    rows += buffered[i].Batch.Count;
                }

                Replace(NewView(new PartList(current.Disk, [.. current.Memory, .. entries]), Restart(buffered[sealedWrites..]), current.BufferedThrough, current.BufferedRows - rows));
                count = _current.Memory.Length;
            }
        }

        foreach (MemoryPartEntry entry in entries)
        {
            entry.Handle.Release(); // the view holds them now (or, closed, nobody)
        }

        return count;
    }

    /// <summary>
    /// Installs a flush: <paramref name="created"/> (the disk part holding <paramref name="flushed"/>, the
    /// first memory parts of the current view) goes into a new snapshot file with flushed LSN
    /// <paramref name="flushedThrough"/>, then into the next view in place of the memory parts, whose
    /// memory is freed. If the snapshot cannot be written, <paramref name="created"/> is deleted and
    /// nothing changes. Returns the LSN up to which the WAL may be truncated as far as the parts are
    /// concerned (the fallback snapshot's flush point).
    /// </summary>
    public async Task<long> InstallFlushAsync(MemoryPartEntry[] flushed, PartHandle<IPartReader> created, long flushedThrough, TimeSpan timeout)
    {
        await EnterInstallAsync(timeout, created).ConfigureAwait(false);
        try
        {
            ShardView current = CurrentUnderInstall(created);
            for (int i = 0; i < flushed.Length; i++)
            {
                if (i >= current.Memory.Length || current.Memory[i] != flushed[i])
                {
                    Discard(created);
                    throw new InvalidOperationException("bug: the flushed memory parts are no longer the first of the view");
                }
            }

            PartHandle<IPartReader>[] disk = [.. current.Disk, created];
            long truncateThrough = Math.Min(_flushedLsn, flushedThrough);
            WriteSnapshot(disk, flushedThrough, created);
            long freed = 0;
            foreach (MemoryPartEntry entry in flushed)
            {
                freed += entry.Bytes;
            }

            lock (_gate)
            {
                ShardView now = _current;
                _memoryBytes -= freed;
                _budget?.Release(freed); // installs and the close share the install gate: not closed here
                Replace(NewView(new PartList(disk, now.Memory[flushed.Length..]), now.Buffered, now.BufferedThrough, now.BufferedRows));
            }

            created.Release(); // the view holds it now
            ReleaseFallbackHoldings();
            return truncateThrough;
        }
        finally
        {
            _installGate.Release();
        }
    }

    /// <summary>
    /// Installs a merge: <paramref name="created"/> replaces <paramref name="window"/> (disk parts adjacent
    /// in the current view) in a new snapshot file, then in the next view. The window's parts are marked
    /// obsolete and kept for the fallback snapshot until the next install. If the snapshot cannot be
    /// written, <paramref name="created"/> is deleted and nothing changes. Returns the LSN up to which
    /// the WAL may be truncated as far as the parts are concerned.
    /// </summary>
    public async Task<long> InstallMergeAsync(PartHandle<IPartReader>[] window, PartHandle<IPartReader> created, TimeSpan timeout)
    {
        await EnterInstallAsync(timeout, created).ConfigureAwait(false);
        try
        {
            ShardView current = CurrentUnderInstall(created);
            int start = Array.IndexOf(current.Disk, window[0]);
            if (start < 0 || start + window.Length > current.Disk.Length || current.Disk[start + window.Length - 1] != window[^1])
            {
                Discard(created);
                throw new InvalidOperationException("bug: the merged parts are no longer adjacent in the live set");
            }

            PartHandle<IPartReader>[] disk = [.. current.Disk[..start], created, .. current.Disk[(start + window.Length)..]];
            long truncateThrough = _flushedLsn;
            WriteSnapshot(disk, _flushedLsn, created);
            ReleaseFallbackHoldings();
            foreach (PartHandle<IPartReader> handle in window)
            {
                // The live set's reference moves to the fallback snapshot, which still lists the part.
                handle.Acquire();
                handle.MarkObsolete();
                _heldForPrevious.Add(handle);
            }

            lock (_gate)
            {
                ShardView now = _current;
                Replace(NewView(new PartList(disk, now.Memory), now.Buffered, now.BufferedThrough, now.BufferedRows));
            }

            created.Release(); // the view holds it now
            return truncateThrough;
        }
        finally
        {
            _installGate.Release();
        }
    }

    /// <summary>
    /// Writes the current disk parts and flush point again as a new snapshot file, when the fallback
    /// snapshot differs from the newest one: the fallback then lists what the newest lists, so the parts
    /// only the old fallback listed (merge inputs) are deleted and the WAL may be truncated through the
    /// newest flush point. Meant for a shard with nothing to flush or merge (until the next flush or merge
    /// the fallback guards against a damaged newest file exactly as before). Returns the LSN through which
    /// the WAL may be truncated, or null when there was nothing to settle or the part set is closed.
    /// </summary>
    /// <exception cref="TimeoutException">Another install held the snapshot longer than <paramref name="timeout"/>.</exception>
    public async Task<long?> InstallSettleAsync(TimeSpan timeout)
    {
        if (!await _installGate.WaitAsync(timeout).ConfigureAwait(false))
        {
            throw new TimeoutException($"shard {_store.DirectoryPath}: another flush or merge install held the snapshot for more than {timeout.TotalSeconds:0.#} s; the settle was skipped");
        }

        try
        {
            ShardView current;
            lock (_gate)
            {
                if (_closed || _settled)
                {
                    return null;
                }

                current = _current;
            }

            // The view cannot change its disk parts meanwhile: only installs do, and this one holds the gate.
            WriteSnapshot(current.Disk, _flushedLsn, null);
            ReleaseFallbackHoldings();
            _settled = true;
            return _flushedLsn;
        }
        finally
        {
            _installGate.Release();
        }
    }

    /// <summary>
    /// Closes the part set: the current view is released (readers keep theirs), and the parts held for
    /// the fallback snapshot are released without deleting their folders (the next open decides).
    /// Waits up to <paramref name="timeout"/> for an install in progress; on timeout nothing changes.
    /// </summary>
    /// <exception cref="TimeoutException">An install held the gate longer than <paramref name="timeout"/>.</exception>
    public async Task CloseAsync(TimeSpan timeout)
    {
        if (!await _installGate.WaitAsync(timeout).ConfigureAwait(false))
        {
            throw new TimeoutException($"shard {_store.DirectoryPath}: a flush or merge install did not finish within {timeout.TotalSeconds:0.#} s; the shard is not closed");
        }

        try
        {
            ShardView last;
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }

                _closed = true;
                last = _current;
                _budget?.Release(_memoryBytes); // dropped with the views (the WAL replays them), or reserved by writes that now fail
                SignalChange();
            }

            last.Release();
            foreach (PartHandle<IPartReader> handle in _heldForPrevious)
            {
                handle.KeepFolder(); // the fallback snapshot on disk still lists it
                handle.Release();
            }

            _heldForPrevious = [];
        }
        finally
        {
            _installGate.Release();
        }
    }

    /// <summary>Holds the install gate until disposed (tests: a flush or merge then waits to install, as behind a slow snapshot write).</summary>
    internal IDisposable HoldInstallsForTest()
    {
        _installGate.Wait();
        return new Releaser(_installGate);
    }

    // A part that will not be installed: its folder goes with its last reference. What it was made
    // from (memory parts and the WAL, or the merge's inputs) stays live, so nothing is lost.
    private static void Discard(PartHandle<IPartReader> created)
    {
        created.MarkObsolete();
        created.Release();
    }

    private async Task EnterInstallAsync(TimeSpan timeout, PartHandle<IPartReader> created)
    {
        if (!await _installGate.WaitAsync(timeout).ConfigureAwait(false))
        {
            Discard(created);
            throw new TimeoutException($"shard {_store.DirectoryPath}: another flush or merge install held the snapshot for more than {timeout.TotalSeconds:0.#} s; this one was dropped and its data stays where it was");
        }
    }

    private ShardView CurrentUnderInstall(PartHandle<IPartReader> created)
    {
        lock (_gate)
        {
            if (_closed)
            {
                Discard(created);
                throw new ObjectDisposedException(nameof(PartSet), $"shard {_store.DirectoryPath} closed before the install");
            }

            return _current;
        }
    }

    // Writes the snapshot file listing `disk`; on failure deletes `created` (when there is one) and rethrows. The
    // snapshot it replaces as the newest becomes the fallback, which now differs from the newest (unless a settle).
    private void WriteSnapshot(PartHandle<IPartReader>[] disk, long flushedLsn, PartHandle<IPartReader>? created)
    {
        long[] ids = new long[disk.Length];
        for (int i = 0; i < disk.Length; i++)
        {
            ids[i] = disk[i].Id;
        }

        long epoch = NextId();
        try
        {
            _store.Install(new ShardSnapshotRecord(epoch, flushedLsn, ids), _snapshotEpoch);
        }
        catch
        {
            if (created is not null)
            {
                Discard(created);
            }

            throw;
        }

        _flushedLsn = flushedLsn;
        _snapshotEpoch = epoch;
        _settled = false;
    }

    // The snapshot before the new one stays on disk as the fallback; what only the one before that
    // needed can go now.
    private void ReleaseFallbackHoldings()
    {
        foreach (PartHandle<IPartReader> handle in _heldForPrevious)
        {
            handle.Release();
        }

        foreach (long id in _heldIdsForPrevious)
        {
            TryDeleteFolder(_store.PartPath(id));
        }

        _heldIdsForPrevious = [];
        _heldForPrevious = [];
    }

    // The current view's buffered writes with `write` inserted at `at`. Nearly every write comes last: it goes into the
    // array's next free slot, which no view covers, and the new view's window takes it in. Older views keep reading
    // their own windows, unchanged. Otherwise (out of LSN order, or no free slot) a new array, with room to grow.
    private ReadOnlyMemory<BufferedWrite> Append(ReadOnlyMemory<BufferedWrite> buffered, int at, BufferedWrite write)
    {
        if (at == buffered.Length && _bufferedEnd < _bufferedArray.Length
            && MemoryMarshal.TryGetArray(buffered, out ArraySegment<BufferedWrite> window)
            && ReferenceEquals(window.Array, _bufferedArray) && window.Offset + window.Count == _bufferedEnd)
        {
            _bufferedArray[_bufferedEnd++] = write;
            return _bufferedArray.AsMemory(window.Offset, window.Count + 1);
        }

        ReadOnlySpan<BufferedWrite> current = buffered.Span;
        var array = new BufferedWrite[Math.Max(MinBufferedCapacity, (current.Length + 1) * 2)];
        current[..at].CopyTo(array);
        array[at] = write;
        current[at..].CopyTo(array.AsSpan(at + 1));
        _bufferedArray = array;
        _bufferedEnd = current.Length + 1;
        return array.AsMemory(0, _bufferedEnd);
    }

    // After a seal: the writes it left go into a new array, so the old one (and the sealed batches its slots reference)
    // is kept only by the views that still read it.
    private ReadOnlyMemory<BufferedWrite> Restart(ReadOnlySpan<BufferedWrite> left)
    {
        var array = new BufferedWrite[Math.Max(MinBufferedCapacity, left.Length * 2)];
        left.CopyTo(array);
        _bufferedArray = array;
        _bufferedEnd = left.Length;
        return array.AsMemory(0, left.Length);
    }

    // A view over a new part list; the list's creator reference passes to the view. Caller holds _gate
    // (or is the constructor).
    private ShardView NewView(PartList parts, ReadOnlyMemory<BufferedWrite> buffered, long bufferedThrough, long bufferedRows)
    {
        var view = new ShardView(++_epoch, parts, buffered, bufferedThrough, bufferedRows, _resources);
        parts.Release();
        return view;
    }

    // Caller holds _gate.
    private void Replace(ShardView next)
    {
        ShardView previous = _current;
        _current = next;
        previous.Release();
        SignalChange();
    }

    // Caller holds _gate.
    private void SignalChange()
    {
        TaskCompletionSource? change = _change;
        _change = null;
        change?.TrySetResult();
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                FileSystem.At(folder).DeleteDirectory(folder);
            }
        }
        catch (IOException)
        {
            // Unreferenced by every snapshot: the next open removes it.
        }
    }
}
