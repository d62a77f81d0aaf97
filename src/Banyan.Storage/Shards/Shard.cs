using Banyan.Storage.Durability;
using Banyan.Storage.Encodings;
using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Snapshots;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Shards;

/// <summary>
/// One shard folder <c>&lt;root&gt;/&lt;group&gt;/seg-&lt;start&gt;/shard-&lt;n&gt;/</c>: a WAL, memory
/// parts, on-disk parts and the snapshot naming the live ones (lifecycle in <c>docs/storage.md</c>).
/// </summary>
/// <remarks>
/// <para><see cref="Write"/> appends the batch to the WAL (group commit) and adds it as a memory
/// part; when it returns the rows survive kill -9. <see cref="Flush"/> turns memory parts into one
/// disk part and <see cref="Merge"/> combines disk parts; both install a new snapshot and run
/// while writes and reads go on. Nothing runs in the background: the caller (a grain timer)
/// invokes flush and merge; a write runs a flush itself only when memory crosses
/// <see cref="ShardOptions.FlushThresholdBytes"/>.</para>
/// <para>Every write gets a log sequence number (LSN). A flush takes only memory parts whose LSNs
/// form an unbroken run from the last flush, so the snapshot's "flushed through LSN" is exact even
/// when concurrent writers finish out of order.</para>
/// </remarks>
public sealed class Shard : IDisposable
{
    private readonly object _gate = new();
    private readonly object _installGate = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly SemaphoreSlim _mergeGate = new(1, 1);
    private readonly object _sealGate = new();
    private readonly ShardOptions _options;
    private readonly SnapshotStore _store;
    private readonly WriteAheadLog? _wal;

    // The indexes; Apply, Flush and Merge on them hold _indexGate (lock order: _installGate or
    // _sealGate before _indexGate). Searches read their snapshots without it.
    private readonly ShardIndexer? _indexer;
    private readonly object _indexGate = new();
    private long _nextId;
    private long _localLsn;

    // Guarded by _gate.
    private PartHandle<IPartReader>[] _disk;
    private readonly List<MemoryEntry> _memory = [];
    private readonly List<PendingWrite> _pending = []; // by LSN; not yet built into memory parts
    private long _pendingRows;
    private long _insertedThrough;
    private long _memoryBytes;
    private bool _disposed;

    // Guarded by _installGate.
    private long _flushedLsn;
    private long _snapshotEpoch;
    private List<PartHandle<IPartReader>> _heldForPrevious = [];
    private List<long> _heldIdsForPrevious;

    private Shard(string path, ShardOptions options, SnapshotStore store, WriteAheadLog? wal, ShardIndexer? indexer, PartHandle<IPartReader>[] disk, SnapshotLoadResult load, List<long> heldIds)
    {
        FolderPath = path;
        _options = options;
        _store = store;
        _wal = wal;
        _indexer = indexer;
        _disk = disk;
        _nextId = load.HighestId;
        _flushedLsn = load.Current?.FlushedLsn ?? 0;
        _snapshotEpoch = load.Current?.Epoch ?? 0;
        _insertedThrough = _flushedLsn;
        _localLsn = _flushedLsn;
        if (wal is null && indexer is not null && indexer.HighestFlushedSequence > _flushedLsn)
        {
            // No WAL: LSNs restart from the parts' flush point, but an index flushed further would skip
            // new batches numbered at or below its own flush point as already indexed.
            _insertedThrough = indexer.HighestFlushedSequence;
            _localLsn = _insertedThrough;
        }
        _heldIdsForPrevious = heldIds;
        Recovery = new ShardRecoveryReport(load.Rejected, wal?.Recovery ?? WalRecoveryReport.Clean, 0);
    }

    /// <summary>The shard folder.</summary>
    public string FolderPath { get; }

    /// <summary>What opening found and repaired.</summary>
    public ShardRecoveryReport Recovery { get; private set; }

    /// <summary>Measure or stream.</summary>
    public PartKind Kind => _options.Kind;

    /// <summary>The shard's indexes, or null when <see cref="ShardOptions.Index"/> is null.</summary>
    public ShardIndexer? Indexer => _indexer;

    /// <summary>Bytes held by memory parts (including writes in progress).</summary>
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

    /// <summary>Number of memory parts plus buffered writes not yet built into one.</summary>
    public int MemoryPartCount
    {
        get
        {
            lock (_gate)
            {
                return _memory.Count + _pending.Count;
            }
        }
    }

    /// <summary>Ids of the live disk parts, oldest data first.</summary>
    public IReadOnlyList<long> DiskPartIds
    {
        get
        {
            lock (_gate)
            {
                long[] ids = new long[_disk.Length];
                for (int i = 0; i < ids.Length; i++)
                {
                    ids[i] = _disk[i].Id;
                }

                return ids;
            }
        }
    }

    /// <summary>
    /// Opens the shard in <paramref name="path"/> (created when missing): loads the newest usable
    /// snapshot, removes parts and temporary folders it does not reference, and replays the WAL
    /// records written after the snapshot's flush point into memory parts.
    /// </summary>
    /// <exception cref="StorageCorruptionException">A live part or the WAL is damaged beyond the documented repairs.</exception>
    public static Shard Open(string path, ShardOptions? options = null)
    {
        options ??= new ShardOptions();
        options.Validate();
        Directory.CreateDirectory(path);
        SnapshotStore store = new(path);
        SnapshotLoadResult load = store.Load();
        HashSet<long> keep = [];
        List<long> heldIds = [];
        if (load.Current is not null)
        {
            keep.UnionWith(load.Current.PartIds);
        }

        if (load.Previous is not null)
        {
            foreach (long id in load.Previous.PartIds)
            {
                if (keep.Add(id))
                {
                    heldIds.Add(id);
                }
            }
        }

        store.RemoveUnreferenced(keep);
        List<PartHandle<IPartReader>> disk = [];
        WriteAheadLog? wal = null;
        try
        {
            ShardIndexer? indexer = options.Index is null ? null : ShardIndexer.Open(path, options.Index);
            if (load.Current is not null)
            {
                foreach (long id in load.Current.PartIds)
                {
                    string folder = store.PartPath(id);
                    disk.Add(new PartHandle<IPartReader>(id, PartReader.Open(folder), folder));
                }
            }

            if (options.WalEnabled)
            {
                long flushed = load.Current?.FlushedLsn ?? 0;
                wal = WriteAheadLog.Open(Path.Combine(path, "wal"), new WalOptions { MaxFileSize = options.Wal.MaxFileSize, MinimumNextLsn = flushed + 1 });
            }

            Shard shard = new(path, options, store, wal, indexer, [.. disk], load, heldIds);
            shard.ReplayWal();
            return shard;
        }
        catch
        {
            foreach (PartHandle<IPartReader> handle in disk)
            {
                handle.Release();
            }

            wal?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="batch"/>: WAL append with group commit, then a memory part. When this
    /// returns, the rows survive a crash (with the WAL on) and are visible to new reads.
    /// Waits (back-pressure) while memory parts are at <see cref="ShardOptions.MaxMemoryBytes"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is of the other kind, or a column lacks values.</exception>
    /// <exception cref="StorageFullException">The disk is full; the batch was not written.</exception>
    public void Write(WriteBatch batch)
    {
        WriteBatch copy = Prepare(batch, out long bytes, out PreparedIndexBatch? indexed);
        if (copy.Count == 0)
        {
            return;
        }

        Reserve(bytes);
        long lsn;
        try
        {
            if (_wal is null)
            {
                lsn = Interlocked.Increment(ref _localLsn);
            }
            else
            {
                using ByteBuffer payload = new(Math.Max(256, batch.Count * (24 + (8 * batch.Columns.Count))));
                WriteBatchCodec.Encode(batch, payload);
                lsn = _wal.Append(payload.WrittenSpan);
            }
        }
        catch
        {
            Unreserve(bytes);
            throw;
        }

        Insert(lsn, copy, bytes, indexed);
        FlushIfOverThreshold();
    }

    /// <summary>Asynchronous <see cref="Write"/>: the WAL fsync and any forced flush run off the caller's thread.</summary>
    public async ValueTask WriteAsync(WriteBatch batch)
    {
        WriteBatch copy = Prepare(batch, out long bytes, out PreparedIndexBatch? indexed);
        if (copy.Count == 0)
        {
            return;
        }

        await ReserveAsync(bytes).ConfigureAwait(false);
        long lsn;
        try
        {
            if (_wal is null)
            {
                lsn = Interlocked.Increment(ref _localLsn);
            }
            else
            {
                using ByteBuffer payload = new(Math.Max(256, batch.Count * (24 + (8 * batch.Columns.Count))));
                WriteBatchCodec.Encode(batch, payload);
                lsn = await _wal.AppendAsync(payload.WrittenMemory).ConfigureAwait(false);
            }
        }
        catch
        {
            Unreserve(bytes);
            throw;
        }

        Insert(lsn, copy, bytes, indexed);
        if (OverFlushThreshold())
        {
            await Task.Run(FlushIfOverThreshold).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the memory parts (those forming an unbroken LSN run) into one disk part, installs a
    /// new snapshot and truncates the WAL. Writes and reads go on meanwhile. Returns false when
    /// there was nothing to flush.
    /// </summary>
    /// <exception cref="StorageFullException">The disk is full; the memory parts and the WAL are kept.</exception>
    public bool Flush()
    {
        _flushGate.Wait();
        try
        {
            Seal();

            // Indexes first: with the WAL off, a crash between the two then leaves index entries whose
            // rows are gone (a query drops them) rather than rows the index cannot find.
            if (_indexer is not null)
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
                lock (_indexGate)
                {
                    _indexer.Flush();
                }
            }

            MemoryEntry[] captured;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);

                // Memory parts are built from unbroken LSN runs, in order, so all of them together
                // hold exactly the records up to the last one's LSN.
                if (_memory.Count == 0)
                {
                    return false;
                }

                captured = [.. _memory];
            }

            IPartReader[] sources = new IPartReader[captured.Length];
            for (int i = 0; i < captured.Length; i++)
            {
                sources[i] = captured[i].Handle.Part;
            }

            PartHandle<IPartReader> created = WritePart(sources);
            InstallOrDiscard(created, captured[^1].LastLsn, captured, null);
            return true;
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>
    /// Merges disk parts chosen by the <see cref="MergePolicy"/> (all of them when
    /// <paramref name="force"/>), installs a new snapshot, and lets the old parts go once no reader
    /// holds them. Returns false when nothing was worth merging.
    /// </summary>
    /// <exception cref="StorageFullException">The disk is full; the old parts stay live.</exception>
    public bool Merge(bool force = false)
    {
        _mergeGate.Wait();
        try
        {
            PartHandle<IPartReader>[] disk;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                disk = _disk;
            }

            if (_indexer is not null)
            {
                lock (_indexGate)
                {
                    _indexer.Merge(force ? 2 : IndexFilesBeforeMerge);
                }
            }

            long[] sizes = new long[disk.Length];
            for (int i = 0; i < disk.Length; i++)
            {
                sizes[i] = Math.Max(1, disk[i].Part.Metadata.CompressedBytes);
            }

            if (!_options.Merge.TryPick(sizes, force, out int start, out int count))
            {
                return false;
            }

            // Only merges remove disk parts and merges run one at a time, so the window stays live.
            PartHandle<IPartReader>[] window = disk[start..(start + count)];
            IPartReader[] sources = new IPartReader[count];
            for (int i = 0; i < count; i++)
            {
                sources[i] = window[i].Part;
            }

            PartHandle<IPartReader> created = WritePart(sources);
            InstallOrDiscard(created, -1, null, window);
            return true;
        }
        finally
        {
            _mergeGate.Release();
        }
    }

    /// <summary>Takes a consistent view (disk and memory parts) for reading; dispose it after.</summary>
    public ShardReadView AcquireView()
    {
        Seal();
        PartHandle<IPartReader>[] handles;
        WriteBatch[] outOfOrder;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            handles = new PartHandle<IPartReader>[_disk.Length + _memory.Count];
            _disk.CopyTo(handles, 0);
            for (int i = 0; i < _memory.Count; i++)
            {
                handles[_disk.Length + i] = _memory[i].Handle;
            }

            foreach (PartHandle<IPartReader> handle in handles)
            {
                handle.Acquire();
            }

            // Writes acknowledged while an earlier LSN is still in flight: visible, but not sealable yet.
            outOfOrder = new WriteBatch[_pending.Count];
            for (int i = 0; i < _pending.Count; i++)
            {
                outOfOrder[i] = _pending[i].Batch;
            }
        }

        if (outOfOrder.Length > 0)
        {
            List<MemoryPart> transient = BuildParts(outOfOrder);
            PartHandle<IPartReader>[] all = new PartHandle<IPartReader>[handles.Length + transient.Count];
            handles.CopyTo(all, 0);
            for (int i = 0; i < transient.Count; i++)
            {
                all[handles.Length + i] = new PartHandle<IPartReader>(0, transient[i], null); // owned by the view alone
            }

            handles = all;
        }

        return new ShardReadView(handles, _disk.Length);
    }

    /// <summary>
    /// Builds the buffered writes that form an unbroken LSN run into one memory part (reads and
    /// flushes call this; writes call it once <see cref="ShardOptions.SealRows"/> rows are buffered).
    /// </summary>
    public void Seal()
    {
        lock (_sealGate)
        {
            WriteBatch[] batches;
            PendingWrite[] taken;
            long firstLsn;
            long lastLsn;
            long bytes = 0;
            long rows = 0;
            lock (_gate)
            {
                int count = 0;
                while (count < _pending.Count && _pending[count].Lsn <= _insertedThrough)
                {
                    bytes += _pending[count].Bytes;
                    rows += _pending[count].Batch.Count;
                    count++;
                }

                if (count == 0)
                {
                    return;
                }

                batches = new WriteBatch[count];
                taken = new PendingWrite[count];
                for (int i = 0; i < count; i++)
                {
                    batches[i] = _pending[i].Batch;
                    taken[i] = _pending[i];
                }

                firstLsn = _pending[0].Lsn;
                lastLsn = _pending[count - 1].Lsn;
            }

            // Built outside the shard lock: writers keep appending meanwhile (with higher LSNs).
            List<MemoryPart> parts = BuildParts(batches);

            // In LSN order (this is an unbroken run after every earlier one), and before the memory part
            // becomes visible, so every part a read view holds is in the indexes.
            ApplyToIndexes(taken);
            lock (_gate)
            {
                _pending.RemoveRange(0, batches.Length);
                _pendingRows -= rows;
                for (int i = 0; i < parts.Count; i++)
                {
                    // The bytes are charged to the last part, so a flush frees them all together.
                    long charged = i == parts.Count - 1 ? bytes : 0;
                    _memory.Add(new MemoryEntry(firstLsn, lastLsn, new PartHandle<IPartReader>(lastLsn, parts[i], null), charged));
                }
            }
        }
    }

    /// <summary>Rows of the queried series and time range in (series, timestamp) order, measures deduplicated by version.</summary>
    public ShardScan Scan(BlockQuery query, ColumnProjection projection) => new(AcquireView(), _options.Kind, query, projection);

    /// <summary>
    /// Rows with <paramref name="minTimestamp"/> ≤ timestamp ≤ <paramref name="maxTimestamp"/> matching
    /// <paramref name="criteria"/> (null: all), found through the indexes: the inverted index names the
    /// candidate series (measures) or elements (streams), only those are read, and what the index left
    /// open is decided on the rows. Sees every write acknowledged before the call. In (series, timestamp) order.
    /// </summary>
    /// <exception cref="InvalidOperationException">The shard has no indexes (<see cref="ShardOptions.Index"/> is null).</exception>
    /// <exception cref="ArgumentException">The time range is empty.</exception>
    public List<IndexedRow> QueryIndexed(Criteria? criteria, long minTimestamp, long maxTimestamp)
    {
        ShardIndexer indexer = _indexer ?? throw new InvalidOperationException($"shard {FolderPath} has no indexes (ShardOptions.Index is null)");
        if (minTimestamp > maxTimestamp)
        {
            throw new ArgumentException($"time range is empty: min {minTimestamp} > max {maxTimestamp}", nameof(minTimestamp));
        }

        WaitForInFlightWrites();

        // View first, then the index: every part in the view was indexed before it became visible, so
        // the index snapshot taken after covers the view (newer entries find no row and are dropped).
        ShardReadView view = AcquireView();
        var hits = new List<IndexHit>();
        try
        {
            indexer.Search(criteria, minTimestamp, maxTimestamp, hits);
        }
        catch
        {
            view.Dispose();
            throw;
        }

        return IndexedQuery.Run(view, indexer.Config, criteria, minTimestamp, maxTimestamp, hits);
    }

    /// <summary>
    /// Closes the shard. With the WAL off, memory parts are flushed first so a clean shutdown loses
    /// nothing; with the WAL on they are replayed at the next open.
    /// </summary>
    public void Dispose()
    {
        if (!_options.WalEnabled)
        {
            try
            {
                while (Flush())
                {
                }
            }
            catch (ObjectDisposedException)
            {
            }
        }

        _flushGate.Wait();
        _mergeGate.Wait();
        PartHandle<IPartReader>[] disk;
        MemoryEntry[] memory;
        lock (_gate)
        {
            if (_disposed)
            {
                _mergeGate.Release();
                _flushGate.Release();
                return;
            }

            _disposed = true;
            disk = _disk;
            memory = [.. _memory];
            _disk = [];
            _memory.Clear();
        }

        _wal?.Dispose();
        foreach (PartHandle<IPartReader> handle in disk)
        {
            handle.Release();
        }

        foreach (MemoryEntry entry in memory)
        {
            entry.Handle.Release();
        }

        lock (_installGate)
        {
            foreach (PartHandle<IPartReader> handle in _heldForPrevious)
            {
                handle.KeepFolder(); // the fallback snapshot on disk still lists it
                handle.Release();
            }

            _heldForPrevious = [];
        }

        _mergeGate.Release();
        _flushGate.Release();
    }

    private WriteBatch Prepare(WriteBatch batch, out long bytes, out PreparedIndexBatch? indexed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Kind != _options.Kind)
        {
            throw new ArgumentException($"batch holds {batch.Kind} rows, this shard stores {_options.Kind} rows", nameof(batch));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        batch.Validate();

        // Before the WAL append: a batch the indexes reject must not be logged.
        indexed = _indexer?.Prepare(batch);
        WriteBatch copy = BatchConcatenation.Copy(batch);
        bytes = BatchConcatenation.EstimateBytes(copy);
        return copy;
    }

    private List<MemoryPart> BuildParts(WriteBatch[] batches)
    {
        List<MemoryPart> parts = [];
        MemoryPart? assembled = MemoryPartAssembler.TryBuild(batches, _options.Kind, _options.PartWriter);
        if (assembled is not null)
        {
            parts.Add(assembled);
            return parts;
        }

        if (batches.Length == 1)
        {
            parts.Add(MemoryPart.Build(BatchSorter.Sort(batches[0]), _options.PartWriter));
            return parts;
        }

        WriteBatch combined = new(_options.Kind);
        foreach (WriteBatch batch in batches)
        {
            if (!BatchConcatenation.TryAppend(combined, batch))
            {
                // A column changed type between writes: keep them in separate parts, in LSN order.
                parts.Add(MemoryPart.Build(BatchSorter.Sort(combined), _options.PartWriter));
                combined = BatchConcatenation.Copy(batch);
            }
        }

        parts.Add(MemoryPart.Build(BatchSorter.Sort(combined), _options.PartWriter));
        return parts;
    }

    private bool TryReserve(long bytes)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_memoryBytes > 0 && _memoryBytes + bytes > _options.MaxMemoryBytes)
            {
                return false;
            }

            _memoryBytes += bytes;
            return true;
        }
    }

    private void Reserve(long bytes)
    {
        while (!TryReserve(bytes))
        {
            // Back-pressure: make room ourselves. When nothing is flushable yet, the memory is held by
            // writes still waiting for their fsync; they finish within one sync.
            if (!Flush())
            {
                Thread.Sleep(1);
            }
        }
    }

    private async ValueTask ReserveAsync(long bytes)
    {
        while (!TryReserve(bytes))
        {
            bool flushed = await Task.Run(Flush).ConfigureAwait(false);
            if (!flushed)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }

    private void Unreserve(long bytes)
    {
        lock (_gate)
        {
            _memoryBytes -= bytes;
        }
    }

    private void Insert(long lsn, WriteBatch batch, long bytes, PreparedIndexBatch? indexed)
    {
        bool seal;
        lock (_gate)
        {
            int at = _pending.Count;
            while (at > 0 && _pending[at - 1].Lsn > lsn)
            {
                at--;
            }

            _pending.Insert(at, new PendingWrite(lsn, batch, bytes, indexed));
            _pendingRows += batch.Count;
            if (lsn == _insertedThrough + 1)
            {
                _insertedThrough = lsn;
                for (int i = at + 1; i < _pending.Count && _pending[i].Lsn == _insertedThrough + 1; i++)
                {
                    _insertedThrough++;
                }
            }

            seal = _pendingRows >= _options.SealRows;
        }

        if (seal && Monitor.TryEnter(_sealGate))
        {
            try
            {
                Seal();
            }
            finally
            {
                Monitor.Exit(_sealGate);
            }
        }
    }

    private bool OverFlushThreshold()
    {
        lock (_gate)
        {
            return _memoryBytes >= _options.FlushThresholdBytes || _memory.Count >= _options.MaxMemoryParts;
        }
    }

    // Runs after the batch is acknowledged (durable with the WAL on, visible either way), so a failed
    // flush must not fail the write: a caller told "not written" would retry and store the batch twice.
    // The memory parts stay; the flush is retried by the next write over the threshold, by the
    // caller's Flush, and by back-pressure, which reports the error before anything is logged.
    private void FlushIfOverThreshold()
    {
        // One flusher at a time; a writer that finds a flush running leaves the work to it.
        if (OverFlushThreshold() && _flushGate.CurrentCount > 0)
        {
            try
            {
                Flush();
            }
            catch (IOException)
            {
            }
        }
    }

    private void ReplayWal()
    {
        if (_wal is null)
        {
            return;
        }

        string source = _wal.DirectoryPath;

        // The WAL is kept back to the older of the parts' and the indexes' flush points, so records the
        // parts hold but the indexes lost are still there: those feed the indexes only.
        long from = _indexer is null ? _flushedLsn : Math.Min(_flushedLsn, _indexer.DurableSequence);
        long replayed = _wal.Replay(from, (lsn, payload) =>
        {
            WriteBatch batch = WriteBatchCodec.Decode(payload, $"{source} (LSN {lsn})");
            if (batch.Kind != _options.Kind)
            {
                throw new StorageCorruptionException(source, -1, $"WAL record {lsn} holds {batch.Kind} rows in a {_options.Kind} shard");
            }

            PreparedIndexBatch? indexed = PrepareReplayed(lsn, batch, source);
            if (lsn <= _flushedLsn)
            {
                lock (_indexGate)
                {
                    _indexer!.Apply(lsn, indexed!);
                }

                return;
            }

            long bytes = BatchConcatenation.EstimateBytes(batch);
            lock (_gate)
            {
                _memoryBytes += bytes;
            }

            Insert(lsn, batch, bytes, indexed);
        });
        Seal();
        Recovery = Recovery with { ReplayedRecords = replayed };
        lock (_gate)
        {
            _localLsn = _insertedThrough;
        }
    }

    private PartHandle<IPartReader> WritePart(IPartReader[] sources)
    {
        long id = Interlocked.Increment(ref _nextId);
        string folder = _store.PartPath(id);
        try
        {
            if (sources.Length == 1 && sources[0] is MemoryPart memoryPart)
            {
                memoryPart.WriteTo(folder, _options.PartWriter);
            }
            else
            {
                PartMerger.Merge(sources, _options.Kind, folder, _options.PartWriter);
            }

            return new PartHandle<IPartReader>(id, PartReader.Open(folder), folder);
        }
        catch (IOException ex) when (ex is not StorageCorruptionException)
        {
            TryDeleteFolder(folder);

            // The part writer's cleanup of its temporary folder is skipped when closing its files fails
            // too (a full disk fails the buffered flush again), and the folder would keep the disk full.
            TryDeleteFolder(folder + PartFileNames.TemporarySuffix);
            if (DiskFull.Is(ex))
            {
                throw new StorageFullException(folder, ex);
            }

            throw;
        }
    }

    // Installs a snapshot with `created` added (flush: appended; merge: in place of `window`).
    // If the snapshot cannot be written, `created` is deleted and nothing changes.
    private void InstallOrDiscard(PartHandle<IPartReader> created, long flushedThrough, MemoryEntry[]? flushed, PartHandle<IPartReader>[]? window)
    {
        lock (_installGate)
        {
            PartHandle<IPartReader>[] current;
            lock (_gate)
            {
                current = _disk;
            }

            PartHandle<IPartReader>[] next = window is null ? [.. current, created] : Replace(current, window, created);
            long newFlushed = flushedThrough >= 0 ? flushedThrough : _flushedLsn;
            long[] ids = new long[next.Length];
            for (int i = 0; i < next.Length; i++)
            {
                ids[i] = next[i].Id;
            }

            long epoch = Interlocked.Increment(ref _nextId);
            try
            {
                _store.Install(new ShardSnapshotRecord(epoch, newFlushed, ids), _snapshotEpoch);
            }
            catch
            {
                created.MarkObsolete();
                created.Release();
                throw;
            }

            long freed = 0;
            lock (_gate)
            {
                _disk = next;
                if (flushed is not null)
                {
                    _memory.RemoveRange(0, flushed.Length);
                    foreach (MemoryEntry entry in flushed)
                    {
                        freed += entry.Bytes;
                    }

                    _memoryBytes -= freed;
                }
            }

            // The snapshot before the new one stays on disk as a fallback; what only the one before
            // that needed can go now.
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
            if (window is not null)
            {
                foreach (PartHandle<IPartReader> handle in window)
                {
                    handle.MarkObsolete();
                    _heldForPrevious.Add(handle); // the live set's reference moves to the fallback snapshot
                }
            }

            long truncateThrough = Math.Min(_flushedLsn, newFlushed);
            if (_indexer is not null)
            {
                // Never drop records the indexes hold only in memory: after a crash they are rebuilt from the WAL.
                lock (_indexGate)
                {
                    truncateThrough = Math.Min(truncateThrough, _indexer.DurableSequence);
                }
            }

            _flushedLsn = newFlushed;
            _snapshotEpoch = epoch;
            if (flushed is not null)
            {
                foreach (MemoryEntry entry in flushed)
                {
                    entry.Handle.Release();
                }
            }

            // Records up to the fallback snapshot's flush point are in parts both snapshots keep.
            _wal?.Truncate(truncateThrough);
        }
    }

    private void ApplyToIndexes(PendingWrite[] writes)
    {
        if (_indexer is null)
        {
            return;
        }

        lock (_indexGate)
        {
            foreach (PendingWrite write in writes)
            {
                _indexer.Apply(write.Lsn, write.Index!);
            }
        }
    }

    private PreparedIndexBatch? PrepareReplayed(long lsn, WriteBatch batch, string source)
    {
        if (_indexer is null)
        {
            return null;
        }

        try
        {
            return _indexer.Prepare(batch);
        }
        catch (ArgumentException e)
        {
            // It was checked before it was logged, so the record or the index configuration changed.
            throw new StorageCorruptionException(source, -1, $"WAL record {lsn} cannot be indexed with the shard's index configuration: {e.Message}", e);
        }
    }

    private void WaitForInFlightWrites()
    {
        long target;
        lock (_gate)
        {
            target = _pending.Count == 0 ? 0 : _pending[^1].Lsn;
        }

        // A write acknowledged before this query may sit behind an earlier LSN whose writer is between
        // its WAL append and its insert (microseconds); the index sees it once that gap closes.
        long deadline = Environment.TickCount64 + InFlightWaitMilliseconds;
        SpinWait spin = default;
        while (true)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_insertedThrough >= target)
                {
                    return;
                }
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"shard {FolderPath}: writes before LSN {target} did not complete within {InFlightWaitMilliseconds} ms; the index query cannot see them");
            }

            spin.SpinOnce();
        }
    }

    private static PartHandle<IPartReader>[] Replace(PartHandle<IPartReader>[] current, PartHandle<IPartReader>[] window, PartHandle<IPartReader> created)
    {
        int start = Array.IndexOf(current, window[0]);
        if (start < 0 || start + window.Length > current.Length || current[start + window.Length - 1] != window[^1])
        {
            throw new InvalidOperationException("bug: the merged parts are no longer adjacent in the live set");
        }

        return [.. current[..start], created, .. current[(start + window.Length)..]];
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Unreferenced by every snapshot: the next open removes it.
        }
    }

    // Index files flushed before a (non-forced) shard merge also merges them: a merge rewrites them all.
    private const int IndexFilesBeforeMerge = 4;

    private const int InFlightWaitMilliseconds = 10_000;

    private sealed record MemoryEntry(long FirstLsn, long LastLsn, PartHandle<IPartReader> Handle, long Bytes);

    private sealed record PendingWrite(long Lsn, WriteBatch Batch, long Bytes, PreparedIndexBatch? Index);
}
