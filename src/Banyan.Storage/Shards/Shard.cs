using Banyan.Storage.Parts;
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
/// <para>The class is split by stage: this file holds the state, opening and closing;
/// <c>Shard.Write.cs</c> the write path and sealing, <c>Shard.Maintenance.cs</c> flush, merge and
/// snapshot installs, <c>Shard.Read.cs</c> views, scans and index queries, <c>Shard.Recovery.cs</c>
/// the WAL replay.</para>
/// </remarks>
public sealed partial class Shard : IDisposable
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
    public DataKind Kind => _options.Kind;

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
        Durability.DurableDirectory.Create(path);
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
                wal = WriteAheadLog.Open(Path.Combine(path, "wal"), new WalOptions { MaxFileSize = options.Wal.MaxFileSize, MinimumNextLsn = flushed + 1, Recovery = options.Wal.Recovery });
                if (indexer is not null && wal.Recovery.DamagedBytesDropped > 0 && wal.NextLsn <= indexer.HighestFlushedSequence)
                {
                    // Only after a WAL repair dropped records an index had flushed: new batches would reuse
                    // their LSNs and the index would skip them as already indexed.
                    throw new StorageCorruptionException(wal.DirectoryPath, -1,
                        $"the WAL ends before LSN {wal.NextLsn}, but the indexes hold batches through LSN {indexer.HighestFlushedSequence}: the repair dropped records the indexes had flushed; remove the shard's idx/ and sidx/ folders to open it with indexes covering only later writes");
                }
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

    // Index files flushed before a (non-forced) shard merge also merges them: a merge rewrites them all.
    private const int IndexFilesBeforeMerge = 4;

    private const int InFlightWaitMilliseconds = 10_000;

    private sealed record MemoryEntry(long FirstLsn, long LastLsn, PartHandle<IPartReader> Handle, long Bytes);

    private sealed record PendingWrite(long Lsn, WriteBatch Batch, long Bytes, PreparedIndexBatch? Index);
}
