using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Snapshots;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Shards;

/// <summary>
/// One shard folder <c>&lt;root&gt;/&lt;group&gt;/seg-&lt;start&gt;/shard-&lt;n&gt;/</c>, holding every subject
/// (measure or stream) of its group: a WAL, a write buffer, memory parts, on-disk parts and the
/// snapshot naming the live ones, and the indexes of the configured subjects (lifecycle in
/// <c>docs/storage.md</c>, the path of a write and of a read in <c>docs/design/storage.md</c>).
/// </summary>
/// <remarks>
/// <para><see cref="WriteAsync(WriteBatch)"/> appends the batch to the WAL (group commit) and buffers it; its task
/// completes when the rows survive kill -9, without holding a thread while the fsync runs.
/// <see cref="FlushAsync"/> turns memory parts into one disk part and <see cref="MergeAsync"/> combines
/// disk parts; both run their I/O on the thread pool, never overlap themselves, and install their
/// result in a short step while writes and reads go on. Nothing runs on a timer of its own: the caller
/// (a grain timer) starts flush and merge; a write starts a seal or a flush in the background only when
/// a threshold is crossed.</para>
/// <para>The live parts and the buffered writes belong to one <see cref="PartSet"/>, which makes an
/// immutable, epoch-numbered view for every change. A read takes the current view (no write-side
/// work) and sees every acknowledged write: buffered writes are read through a transient sorted copy.</para>
/// <para>Every write gets a log sequence number (LSN). A seal takes only buffered writes whose LSNs
/// form an unbroken run after the last sealed one, so the snapshot's "flushed through LSN" is exact
/// even when concurrent writers finish out of order.</para>
/// <para>The class is split by stage: this file holds the state, opening and closing;
/// <c>Shard.Write.cs</c> the write path and sealing, <c>Shard.Maintenance.cs</c> flush and merge,
/// <c>Shard.Read.cs</c> views, scans and index queries, <c>Shard.Subjects.cs</c> the subjects'
/// configuration, <c>Shard.Recovery.cs</c> the WAL replay.</para>
/// </remarks>
public sealed partial class Shard : IDisposable, IAsyncDisposable
{
    // Index files flushed before a (non-forced) shard merge also merges them: a merge rewrites them all.
    private const int IndexFilesBeforeMerge = 4;

    private readonly ShardOptions _options;
    private readonly SnapshotStore _store;
    private readonly WriteAheadLog? _wal;
    private readonly PartSet _parts;
    private readonly ShardResources _resources;
    private readonly CoalescingWork _seal;
    private readonly CoalescingWork _flush;
    private readonly CoalescingWork _merge;

    // Held only while the first subject's indexes are created (ConfigureSubject), never on reads or writes.
    private readonly object _configureGate = new();
    private volatile ShardIndexer? _indexer;
    private long _localLsn;
    private int _closing;

    private Shard(string path, ShardOptions options, SnapshotStore store, WriteAheadLog? wal, ShardIndexer? indexer, PartHandle<IPartReader>[] disk, SnapshotLoadResult load, List<long> heldIds, ShardResources resources)
    {
        FolderPath = path;
        _options = options;
        _store = store;
        _wal = wal;
        _indexer = indexer;
        _resources = resources;
        long flushed = load.Current?.FlushedLsn ?? 0;
        long through = flushed;
        if (wal is null && indexer is not null && indexer.HighestFlushedSequence > flushed)
        {
            // No WAL: LSNs restart from the parts' flush point, but an index flushed further would skip
            // new batches numbered at or below its own flush point as already indexed.
            through = indexer.HighestFlushedSequence;
        }

        _localLsn = through;
        _parts = new PartSet(store, disk, load, heldIds, through, resources, options.MemoryBudget);
        _seal = new CoalescingWork(_ => Task.FromResult(SealPass()));
        _flush = new CoalescingWork(_ => FlushPassAsync());
        _merge = new CoalescingWork(MergePassAsync);
        Recovery = new ShardRecoveryReport(load.Rejected, wal?.Recovery ?? WalRecoveryReport.Clean, 0);
    }

    /// <summary>The shard folder.</summary>
    public string FolderPath { get; }

    /// <summary>What opening found and repaired.</summary>
    public ShardRecoveryReport Recovery { get; private set; }

    /// <summary>Measure or stream: the kind of every subject of the shard.</summary>
    public DataKind Kind => _options.Kind;

    /// <summary>The shard's indexes, or null when no subject is configured.</summary>
    public ShardIndexer? Indexer => _indexer;

    /// <summary>Bytes held by buffered writes and memory parts (including writes in progress).</summary>
    public long MemoryBytes => _parts.MemoryBytes;

    /// <summary>Number of memory parts plus buffered writes not yet built into one.</summary>
    public int MemoryPartCount
    {
        get
        {
            ShardView view = _parts.Acquire();
            try
            {
                return view.Memory.Length + view.Buffered.Length;
            }
            finally
            {
                view.Release();
            }
        }
    }

    /// <summary>Ids of the live disk parts, oldest data first.</summary>
    public IReadOnlyList<long> DiskPartIds
    {
        get
        {
            ShardView view = _parts.Acquire();
            try
            {
                long[] ids = new long[view.Disk.Length];
                for (int i = 0; i < ids.Length; i++)
                {
                    ids[i] = view.Disk[i].Id;
                }

                return ids;
            }
            finally
            {
                view.Release();
            }
        }
    }

    /// <summary>Leak counters (part references, views, pooled buffers), for tests.</summary>
    internal ShardResources Resources => _resources;

    /// <summary>The part set (views, installs), for tests.</summary>
    internal PartSet PartSet => _parts;

    /// <summary>
    /// Opens the shard in <paramref name="path"/> (created when missing): loads the newest usable
    /// snapshot, removes parts and temporary folders it does not reference, opens the indexes of the
    /// configured subjects, and replays the WAL records written after the flush points into the write
    /// buffer and the indexes.
    /// </summary>
    /// <exception cref="StorageCorruptionException">A live part, an index file or the WAL is damaged beyond the documented repairs.</exception>
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
        var resources = new ShardResources();
        List<PartHandle<IPartReader>> disk = [];
        WriteAheadLog? wal = null;
        try
        {
            ShardIndexer? indexer = null;
            if (options.Index is not null || options.Subjects.Count > 0 || ShardIndexer.Exists(path))
            {
                List<ShardIndexConfig> subjects = [];
                if (options.Index is not null)
                {
                    subjects.Add(options.Index);
                }

                subjects.AddRange(options.Subjects);
                indexer = ShardIndexer.Open(path, options.Kind, subjects, options.Index?.Subject);
            }

            if (load.Current is not null)
            {
                foreach (long id in load.Current.PartIds)
                {
                    string folder = store.PartPath(id);
                    disk.Add(OpenDiskPart(id, folder, resources, options.BlockCache, indexer));
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
                        $"the WAL ends before LSN {wal.NextLsn}, but the indexes hold batches through LSN {indexer.HighestFlushedSequence}: the repair dropped records the indexes had flushed; removing the shard's idx/ and sidx/ folders opens it with indexes covering only later writes, "
                        + "but only when none of its parts is of format 4 (those read their entity tags from sidx/): otherwise restore the shard from a copy");
                }
            }

            Shard shard = new(path, options, store, wal, indexer, [.. disk], load, heldIds, resources);
            disk.Clear(); // the part set owns them now
            try
            {
                shard.ReplayWal();
            }
            catch
            {
                shard._parts.CloseAsync(options.WaitTimeout).GetAwaiter().GetResult(); // nothing else holds the gate yet
                throw;
            }

            options.MemoryBudget?.Register(shard);
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
    /// Waits until no seal, flush or merge started before this call is still running (each at most
    /// <see cref="ShardOptions.WaitTimeout"/>); a pass's failure is not rethrown here, its requester
    /// saw it. For tests and tools that look at the folder, where a background pass may be halfway
    /// through a staging folder.
    /// </summary>
    /// <exception cref="TimeoutException">A pass did not finish in time.</exception>
    public async Task WhenIdleAsync()
    {
        foreach (CoalescingWork work in new[] { _seal, _flush, _merge })
        {
            if (work.Running is Task<bool> running)
            {
                try
                {
                    await running.WaitAsync(_options.WaitTimeout).ConfigureAwait(false);
                }
                catch (Exception) when (running.IsCompleted)
                {
                    // Seen by whoever asked for the pass.
                }
            }
        }
    }

    /// <summary>
    /// Closes the shard (see <see cref="DisposeAsync"/>); a synchronous wrapper for tests and tools.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Closes the shard. With the WAL off, memory parts are flushed first so a clean shutdown loses
    /// nothing (on a full disk this throws and the shard stays open); with the WAL on they are replayed
    /// at the next open. Then settles (see <see cref="MergeAsync"/>): the parts an earlier merge replaced and
    /// the WAL records already in parts are removed. Waits for a running seal, flush or merge (at most
    /// <see cref="ShardOptions.WaitTimeout"/> each). Readers keep the views they hold.
    /// </summary>
    /// <exception cref="TimeoutException">A flush or merge did not finish in time; the shard is not closed.</exception>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0)
        {
            return;
        }

        // A closing shard is no longer asked to flush for the budget; what it holds goes back when its part set closes.
        _options.MemoryBudget?.Unregister(this);
        try
        {
            if (!_options.WalEnabled)
            {
                while (await _flush.Request().ConfigureAwait(false))
                {
                }
            }

            foreach (CoalescingWork work in new[] { _seal, _flush, _merge })
            {
                if (work.Running is Task<bool> running)
                {
                    try
                    {
                        await running.WaitAsync(_options.WaitTimeout).ConfigureAwait(false);
                    }
                    catch (Exception) when (running.IsCompleted)
                    {
                        // The pass failed and whoever asked for it saw the error; closing goes on (with the WAL
                        // on nothing acknowledged depends on it, with the WAL off the flush above succeeded).
                    }
                    catch (TimeoutException)
                    {
                        throw new TimeoutException($"shard {FolderPath}: a background seal, flush or merge did not finish within {_options.WaitTimeout.TotalSeconds:0.#} s; the shard is not closed");
                    }
                }
            }

            // A clean stop leaves only the live parts and no WAL record they already hold (the seal, flush and merge
            // above are done, and closing stops new ones). Best effort: on an I/O error the two snapshots stay as
            // they were, which the next open reads just as well.
            try
            {
                await SettleAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
            }

            // Waits for an install in progress, bounded; nothing is closed unless it succeeds.
            await _parts.CloseAsync(_options.WaitTimeout).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _closing, 0); // not closed: the caller may retry (once space is freed, the flush done)
            _options.MemoryBudget?.Register(this);
            throw;
        }

        _wal?.Dispose();
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _closing) != 0, this);

    // A disk part's handle: counted by the shard's leak counters, and its decoded blocks dropped from the block cache
    // when its last reference goes (merged away, or the shard closed). The entity tags a part of format 4 leaves out
    // come from the series index (a shard without indexes writes no such part).
    private static PartHandle<IPartReader> OpenDiskPart(long id, string folder, ShardResources resources, DecodedBlockCache? cache, ShardIndexer? indexer)
    {
        PartReader reader = PartReader.Open(folder, indexer is null ? null : indexer.EntityOf);
        Action freed = resources.PartCreated();
        return new PartHandle<IPartReader>(id, reader, folder, cache is null ? freed : () =>
        {
            cache.Forget(reader);
            freed();
        });
    }
}
