using System.Diagnostics;
using Banyan.Storage.Durability;
using Banyan.Storage.Parts;
using Banyan.Storage.Shards.Indexing;
using Banyan.Storage.Snapshots;
using Banyan.Storage.Telemetry;

namespace Banyan.Storage.Shards;

// Flush and merge: their I/O on the thread pool, their results installed by the part set.
public sealed partial class Shard
{
    /// <summary>
    /// Writes every write acknowledged before the call (with the seal of the buffered ones it needs)
    /// into one new disk part with the memory parts before it, installs a new snapshot and truncates
    /// the WAL. The I/O runs on the thread pool; writes and reads go on meanwhile; the result is
    /// installed in one short step. A call while a flush runs joins it (and gets one more pass if the
    /// running one had already taken its memory parts). The task's result is false when there was
    /// nothing to flush.
    /// </summary>
    /// <exception cref="StorageFullException">The disk is full; the memory parts and the WAL are kept.</exception>
    public Task<bool> FlushAsync()
    {
        ThrowIfClosed();
        return _flush.Request();
    }

    /// <summary>Synchronous <see cref="FlushAsync"/> for tests and tools.</summary>
    public bool Flush() => FlushAsync().GetAwaiter().GetResult();

    // A flush the memory budget asks for (this shard holds the most). Its failure (a full disk) is left to the flushes
    // that writes, timers and callers ask for; the budget only follows the task to ask one flush at a time.
    internal Task FlushForMemoryBudget()
    {
        if (Volatile.Read(ref _closing) != 0)
        {
            return Task.CompletedTask;
        }

        Task<bool> flush = _flush.Request();
        _ = flush.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return flush;
    }

    /// <summary>
    /// Merges disk parts chosen by the <see cref="MergePolicy"/> (all of them when
    /// <paramref name="force"/>), installs a new snapshot, and lets the old parts go once no reader and
    /// no kept snapshot holds them; also merges the index files. When nothing is worth merging, settles
    /// instead: the current parts are listed again in a new snapshot if the fallback one still listed the
    /// inputs of an earlier merge or an older flush point, which deletes those inputs and truncates the WAL. Runs on the thread pool; a call while a
    /// merge runs joins it (a forced call gets a forced pass). The task's result is false when nothing
    /// was worth merging.
    /// </summary>
    /// <exception cref="StorageFullException">The disk is full; the old parts stay live.</exception>
    public Task<bool> MergeAsync(bool force = false)
    {
        ThrowIfClosed();
        return _merge.Request(force);
    }

    /// <summary>Synchronous <see cref="MergeAsync"/> for tests and tools.</summary>
    public bool Merge(bool force = false) => MergeAsync(force).GetAwaiter().GetResult();

    /// <summary>
    /// Merges every disk part into one (<see cref="MergeAsync"/> with force) when that finishes the shard: every
    /// acknowledged row is on disk (no memory part, no buffered write), in more than one part, and the parts together
    /// stay within <see cref="MergePolicy.MaxOutputBytes"/> (beyond it the size-tiered merges keep a few large parts,
    /// and one rewrite would need that much free disk again). For a shard that gets no more writes but late ones,
    /// such as a segment that time has moved past: the tiered policy alone leaves a few parts per size tier for good,
    /// each repeating the per-block costs of every series. The task's result is false when it did not merge.
    /// </summary>
    /// <exception cref="StorageFullException">The disk is full; the old parts stay live.</exception>
    public Task<bool> CompactAsync()
    {
        ThrowIfClosed();
        ShardView view = _parts.Acquire();
        try
        {
            if (view.Memory.Length > 0 || view.Buffered.Length > 0 || view.Disk.Length < 2)
            {
                return Task.FromResult(false);
            }

            long bytes = 0;
            foreach (PartHandle<IPartReader> part in view.Disk)
            {
                bytes += part.Part.Metadata.CompressedBytes;
            }

            if (bytes > _options.Merge.MaxOutputBytes)
            {
                return Task.FromResult(false);
            }
        }
        finally
        {
            view.Release();
        }

        return _merge.Request(true); // forced: every disk part
    }

    private async Task<bool> FlushPassAsync()
    {
        // Every write buffered before this pass in a memory part, unless it still follows a write
        // waiting for its fsync (it is flushed by the next flush).
        await _seal.Request().ConfigureAwait(false);
        ShardView view = _parts.Acquire();
        try
        {
            // Memory parts are built from unbroken LSN runs, in order, so all of them together hold
            // exactly the records up to the last one's LSN.
            MemoryPartEntry[] captured = view.Memory;

            // Indexes first, after the capture (every captured part was indexed before it became
            // visible): with the WAL off, a crash between the two then leaves index entries whose rows
            // are gone (a query drops them) rather than rows the index cannot find.
            _indexer?.Flush();
            if (captured.Length == 0)
            {
                return false;
            }

            long started = Stopwatch.GetTimestamp();
            var sources = new IPartReader[captured.Length];
            for (int i = 0; i < captured.Length; i++)
            {
                sources[i] = captured[i].Handle.Part;
            }

            PartHandle<IPartReader> created = WritePart(sources);
            long truncateThrough = await _parts.InstallFlushAsync(captured, created, captured[^1].LastLsn, _options.WaitTimeout).ConfigureAwait(false);
            TruncateWal(truncateThrough);
            StorageMetrics.Flushes.Add(1);
            StorageMetrics.FlushDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return true;
        }
        finally
        {
            view.Release();
        }
    }

    private async Task<bool> MergePassAsync(bool force)
    {
        _indexer?.Merge(force ? 2 : IndexFilesBeforeMerge);
        ShardView view = _parts.Acquire();
        try
        {
            PartHandle<IPartReader>[] disk = view.Disk;
            long[] sizes = new long[disk.Length];
            for (int i = 0; i < disk.Length; i++)
            {
                sizes[i] = Math.Max(1, disk[i].Part.Metadata.CompressedBytes);
            }

            if (!_options.Merge.TryPick(sizes, force, out int start, out int count))
            {
                await SettleAsync().ConfigureAwait(false);
                return false;
            }

            // Only merges remove disk parts and one runs at a time, so the window stays adjacent; the
            // view holds its parts meanwhile.
            long started = Stopwatch.GetTimestamp();
            PartHandle<IPartReader>[] window = disk[start..(start + count)];
            var sources = new IPartReader[count];
            for (int i = 0; i < count; i++)
            {
                sources[i] = window[i].Part;
            }

            PartHandle<IPartReader> created = WritePart(sources);
            long truncateThrough = await _parts.InstallMergeAsync(window, created, _options.WaitTimeout).ConfigureAwait(false);
            TruncateWal(truncateThrough);
            StorageMetrics.Merges.Add(1);
            StorageMetrics.MergeDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return true;
        }
        finally
        {
            view.Release();
        }
    }

    // Nothing worth merging: if the last flush or merge left the fallback snapshot behind the newest one, list the
    // newest parts again so the merge inputs the fallback held are deleted and the WAL is cut at the newest flush
    // point. Otherwise a shard that stops receiving writes keeps them until its next write: up to twice its parts'
    // bytes, and WAL records replayed at every open for nothing.
    private async Task SettleAsync()
    {
        if (await _parts.InstallSettleAsync(_options.WaitTimeout).ConfigureAwait(false) is long truncateThrough)
        {
            TruncateWal(truncateThrough);
        }
    }

    // Records up to the fallback snapshot's flush point are in parts both kept snapshots list; the
    // indexes may still need later ones (after a crash they are rebuilt from the WAL).
    private void TruncateWal(long throughLsn)
    {
        if (_wal is null)
        {
            return;
        }

        if (_indexer is ShardIndexer indexer)
        {
            throughLsn = Math.Min(throughLsn, indexer.DurableSequence);
        }

        _wal.Truncate(throughLsn);
    }

    private PartHandle<IPartReader> WritePart(IPartReader[] sources)
    {
        long id = _parts.NextId();
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

            return OpenDiskPart(id, folder, _resources, _options.BlockCache, _indexer);
        }
        catch (IOException ex) when (ex is not StorageCorruptionException)
        {
            TryDeleteFolder(folder); // the part writer removed its temporary folder when it gave up
            if (DiskFull.Is(ex))
            {
                throw new StorageFullException(folder, ex);
            }

            throw;
        }
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            Durability.FileSystem.At(folder).DeleteDirectory(folder);
        }
        catch (IOException)
        {
            // Unreferenced by every snapshot: the next open removes it.
        }
    }
}
