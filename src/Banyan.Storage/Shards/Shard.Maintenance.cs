using Banyan.Storage.Durability;
using Banyan.Storage.Parts;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

// Flush and merge: writing parts, installing snapshots, letting old parts go.
public sealed partial class Shard
{
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
            TryDeleteFolder(folder); // the part writer removed its temporary folder when it gave up
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
            Durability.FileSystem.At(folder).DeleteDirectory(folder);
        }
        catch (IOException)
        {
            // Unreferenced by every snapshot: the next open removes it.
        }
    }
}
