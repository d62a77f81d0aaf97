using Banyan.Storage.Durability;
using Banyan.Storage.Index.Segments;
namespace Banyan.Storage.Index.Store;

/// <summary>
/// The inverted index of one shard and segment (the <c>idx/</c> folder of a subject, or <c>sidx/</c>):
/// in-memory segments per write batch, flushed to immutable <c>.idx</c> files and merged by explicit
/// calls, made visible through a manifest written with write-temp, fsync, rename.
/// </summary>
/// <remarks>
/// <para>No background thread. One writer calls <see cref="AddBatch"/> (in sequence order) while
/// <see cref="Flush"/> and <see cref="Merge"/> may run at the same time on other threads: a flush
/// captures the in-memory segments present when it starts, writes them and then swaps them for the
/// file in one short step, so batches added meanwhile stay in memory. Flushes and merges of one
/// store are serialized with each other. Readers take <see cref="View"/> at any time from any
/// thread; views are immutable.</para>
/// <para>The schema may change while the store is open (<see cref="ChangeSchema"/>, an index rule
/// added later): each segment keeps the fields it was built with, and flushes and merges combine
/// only consecutive segments built with the same fields, so a field added later keeps answering for
/// the documents indexed since, and older segments simply lack it (their conditions on it are
/// residual, see <c>docs/indexing.md</c>).</para>
/// <para>Crash recovery: the index state is a function of the write batches. After a restart the shard
/// replays its WAL through <see cref="AddBatch"/>; batches whose sequence is at or below the manifest's
/// <see cref="IndexManifest.AppliedBatchSequence"/> are already in flushed files and are skipped, so
/// replay never duplicates documents. Files no manifest lists (a flush or merge cut short) are deleted
/// on open.</para>
/// </remarks>
public sealed class IndexStore
{
    private readonly string _directory;
    private readonly object _gate = new(); // AddBatch and the swaps of flush and merge
    private readonly object _maintenance = new(); // one flush or merge of this store at a time
    private volatile IndexSchema _schema;
    private volatile IndexView _current;

    private IndexStore(string directory, IndexSchema schema, IndexView snapshot)
    {
        _directory = directory;
        _schema = schema;
        _current = snapshot;
    }

    /// <summary>The folder.</summary>
    public string Directory => _directory;

    /// <summary>The tags this store indexes in batches added from now on.</summary>
    public IndexSchema Schema => _schema;

    /// <summary>Highest batch sequence in flushed files; replayed batches up to it are skipped.</summary>
    public long AppliedBatchSequence => _current.Manifest.AppliedBatchSequence;

    /// <summary>Highest batch sequence added (flushed or in memory); -1 when none.</summary>
    public long LastBatchSequence
    {
        get
        {
            IndexView current = _current;
            return current.MemoryBatchSequences.Count > 0 ? current.MemoryBatchSequences[^1] : current.Manifest.AppliedBatchSequence;
        }
    }

    /// <summary>File names (relative to <see cref="Directory"/>) the current manifest makes live, manifest included.</summary>
    public IReadOnlyList<string> LiveFiles
    {
        get
        {
            IndexManifest m = _current.Manifest;
            var files = new List<string>(m.Segments.Count + 1);
            if (m.Epoch > 0)
            {
                files.Add(IndexManifest.FileName(m.Epoch));
            }

            foreach (IndexManifestEntry e in m.Segments)
            {
                files.Add(IndexManifest.SegmentFileName(e.SegmentId));
            }

            return files;
        }
    }

    /// <summary>The current view for queries.</summary>
    public IndexView View() => _current;

    /// <summary>Opens (or creates) the store in <paramref name="directory"/>, verifying every live file.</summary>
    /// <exception cref="StorageCorruptionException">The newest manifest or a segment it lists is damaged or missing.</exception>
    public static IndexStore Open(string directory, IndexSchema schema)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(schema);
        DurableDirectory.Create(directory);
        AtomicFile.DeleteLeftovers(directory);

        // The newest manifest wins. Older ones are deleted after a newer one is durable, so one found
        // here is a leftover of a crash right after the rename and is superseded.
        string[] manifests = System.IO.Directory.GetFiles(directory, "*" + IndexManifest.FileExtension);
        Array.Sort(manifests, StringComparer.Ordinal);
        IndexManifest manifest = new(0, -1, 1, []);
        if (manifests.Length > 0)
        {
            string newest = manifests[^1];
            manifest = IndexManifest.Decode(File.ReadAllBytes(newest), newest);
            string expectedName = IndexManifest.FileName(manifest.Epoch);
            if (!string.Equals(Path.GetFileName(newest), expectedName, StringComparison.Ordinal))
            {
                throw new StorageCorruptionException(newest, 8, $"manifest epoch {manifest.Epoch} does not match its file name (expected {expectedName})");
            }
        }

        var segments = new List<IndexSegment>(manifest.Segments.Count);
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (IndexManifestEntry entry in manifest.Segments)
        {
            string path = Path.Combine(directory, IndexManifest.SegmentFileName(entry.SegmentId));
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new StorageCorruptionException(path, -1, "segment listed by the manifest is missing");
            }

            if ((ulong)info.Length != entry.FileLength)
            {
                throw new StorageCorruptionException(path, Math.Min(info.Length, (long)entry.FileLength), $"segment is {info.Length} bytes, the manifest says {entry.FileLength} (truncated?)");
            }

            IndexSegment segment = IndexSegment.Open(path);
            if ((uint)segment.DocCount != entry.DocCount)
            {
                throw new StorageCorruptionException(path, -1, $"segment holds {segment.DocCount} documents, the manifest says {entry.DocCount}");
            }

            segments.Add(segment);
            live.Add(Path.GetFileName(path));
        }

        if (manifest.Epoch > 0)
        {
            live.Add(IndexManifest.FileName(manifest.Epoch));
        }

        bool deleted = false;
        foreach (string file in System.IO.Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(file);
            bool ours = name.EndsWith(IndexSegmentFormat.FileExtension, StringComparison.Ordinal) || name.EndsWith(IndexManifest.FileExtension, StringComparison.Ordinal);
            if (ours && !live.Contains(name))
            {
                FileSystem.At(file).DeleteFile(file);
                deleted = true;
            }
        }

        if (deleted)
        {
            DirectorySync.Sync(directory);
        }

        return new IndexStore(directory, schema, new IndexView(manifest, segments, [], []));
    }

    /// <summary>Indexes the tags of <paramref name="schema"/> in batches added from now on; segments already built keep their fields.</summary>
    public void ChangeSchema(IndexSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
    }

    /// <summary>
    /// Indexes one write batch as a new in-memory segment, with the store's schema or
    /// <paramref name="schema"/> (the one the documents were prepared for). Returns false (and changes
    /// nothing) when <paramref name="batchSequence"/> is already in flushed files, which makes WAL
    /// replay idempotent.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence does not increase over the last batch added.</exception>
    public bool AddBatch(long batchSequence, IReadOnlyList<IndexDocument> documents, IndexSchema? schema = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        IndexView current = _current;
        if (batchSequence <= current.Manifest.AppliedBatchSequence)
        {
            return false;
        }

        if (current.MemoryBatchSequences.Count > 0 && batchSequence <= current.MemoryBatchSequences[^1])
        {
            throw new ArgumentException($"batch sequence {batchSequence} does not increase over {current.MemoryBatchSequences[^1]}", nameof(batchSequence));
        }

        // Built outside the gate: only the one writer adds, and flushes only take memory segments away.
        using var builder = new IndexSegmentBuilder(schema ?? _schema);
        foreach (IndexDocument d in documents)
        {
            builder.Add(d);
        }

        IndexSegment segment = builder.Build($"{_directory}/memory-batch-{batchSequence}");
        lock (_gate)
        {
            current = _current;
            _current = new IndexView(current.Manifest, current.Flushed, [.. current.Memory, segment], [.. current.MemoryBatchSequences, batchSequence]);
        }

        return true;
    }

    /// <summary>
    /// Writes the in-memory segments present when it starts as files (one per run of segments built
    /// with the same fields, usually one) and publishes a manifest that lists them; afterwards the WAL up
    /// to <see cref="AppliedBatchSequence"/> is no longer needed by the index. The manifest records at
    /// least <paramref name="appliedThrough"/>: the caller vouches that every batch up to it that
    /// concerns this store was added before the call, so a store that received nothing new still
    /// moves its recovery point (a manifest without a new file). No-op when there is nothing to record.
    /// </summary>
    public void Flush(long appliedThrough = -1)
    {
        lock (_maintenance)
        {
            IndexView captured = _current;
            IndexManifest m = captured.Manifest;
            int taken = captured.Memory.Count;
            long applied = Math.Max(m.AppliedBatchSequence, taken > 0 ? captured.MemoryBatchSequences[taken - 1] : -1);
            applied = Math.Max(applied, appliedThrough);
            if (taken == 0 && applied <= m.AppliedBatchSequence)
            {
                return;
            }

            ulong id = m.NextSegmentId;
            var entries = new List<IndexManifestEntry>(m.Segments);
            var written = new List<IndexSegment>();
            foreach (List<IndexSegment> run in RunsOfSameFields(captured.Memory))
            {
                string path = Path.Combine(_directory, IndexManifest.SegmentFileName(id));
                IndexSegment merged = IndexSegmentMerger.Merge(run, SchemaOf(run[0]), path);
                byte[] file = IndexSegmentFile.Encode(merged.Image);
                AtomicFile.Write(path, file);
                entries.Add(new IndexManifestEntry(id, (uint)merged.DocCount, (ulong)file.Length));
                written.Add(merged);
                id++;
            }

            var next = new IndexManifest(m.Epoch + 1, applied, id, entries);
            Publish(m, next);
            lock (_gate)
            {
                // Batches added meanwhile follow the captured ones in memory.
                IndexView current = _current;
                _current = new IndexView(next, [.. current.Flushed, .. written], [.. current.Memory.Skip(taken)], [.. current.MemoryBatchSequences.Skip(taken)]);
            }
        }
    }

    /// <summary>
    /// Merges each run of at least <paramref name="minimumRun"/> consecutive flushed segments built
    /// with the same fields into one file, and deletes the inputs once the new manifest is durable.
    /// Returns true when a merge ran.
    /// </summary>
    public bool Merge(int minimumRun = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumRun, 2);
        lock (_maintenance)
        {
            IndexView captured = _current;
            IndexManifest m = captured.Manifest;
            List<List<IndexSegment>> runs = RunsOfSameFields(captured.Flushed);
            if (!runs.Exists(r => r.Count >= minimumRun))
            {
                return false;
            }

            ulong id = m.NextSegmentId;
            var entries = new List<IndexManifestEntry>();
            var flushed = new List<IndexSegment>();
            var doomed = new List<ulong>();
            int position = 0;
            foreach (List<IndexSegment> run in runs)
            {
                if (run.Count < minimumRun)
                {
                    for (int i = 0; i < run.Count; i++)
                    {
                        entries.Add(m.Segments[position + i]);
                        flushed.Add(run[i]);
                    }
                }
                else
                {
                    string path = Path.Combine(_directory, IndexManifest.SegmentFileName(id));
                    IndexSegment merged = IndexSegmentMerger.Merge(run, SchemaOf(run[0]), path);
                    byte[] file = IndexSegmentFile.Encode(merged.Image);
                    AtomicFile.Write(path, file);
                    entries.Add(new IndexManifestEntry(id, (uint)merged.DocCount, (ulong)file.Length));
                    flushed.Add(merged);
                    for (int i = 0; i < run.Count; i++)
                    {
                        doomed.Add(m.Segments[position + i].SegmentId);
                    }

                    id++;
                }

                position += run.Count;
            }

            var next = new IndexManifest(m.Epoch + 1, m.AppliedBatchSequence, id, entries);
            Publish(m, next);
            lock (_gate)
            {
                IndexView current = _current;
                _current = new IndexView(next, flushed, current.Memory, current.MemoryBatchSequences);
            }

            foreach (ulong old in doomed)
            {
                string oldPath = Path.Combine(_directory, IndexManifest.SegmentFileName(old));
                FileSystem.At(oldPath).DeleteFile(oldPath);
            }

            DirectorySync.Sync(_directory);
            return true;
        }
    }

    /// <summary>The fields a segment was built with, as a schema (to merge segments without losing any of them).</summary>
    private static IndexSchema SchemaOf(IndexSegment segment)
    {
        var tags = new List<IndexedTag>(segment.FieldNames.Count);
        foreach (string name in segment.FieldNames)
        {
            tags.Add(segment.Field(name)!.Spec);
        }

        return new IndexSchema(tags);
    }

    private static bool SameFields(IndexSegment a, IndexSegment b)
    {
        if (a.FieldNames.Count != b.FieldNames.Count)
        {
            return false;
        }

        foreach (string name in a.FieldNames)
        {
            IndexFieldReader? other = b.Field(name);
            if (other is null || other.Spec != a.Field(name)!.Spec)
            {
                return false;
            }
        }

        return true;
    }

    // Consecutive segments built with the same fields (usually all of them: the schema rarely changes).
    private static List<List<IndexSegment>> RunsOfSameFields(IReadOnlyList<IndexSegment> segments)
    {
        var runs = new List<List<IndexSegment>>();
        foreach (IndexSegment segment in segments)
        {
            if (runs.Count > 0 && SameFields(runs[^1][0], segment))
            {
                runs[^1].Add(segment);
            }
            else
            {
                runs.Add([segment]);
            }
        }

        return runs;
    }

    private void Publish(IndexManifest previous, IndexManifest next)
    {
        AtomicFile.Write(Path.Combine(_directory, IndexManifest.FileName(next.Epoch)), next.Encode());
        if (previous.Epoch > 0)
        {
            string previousPath = Path.Combine(_directory, IndexManifest.FileName(previous.Epoch));
            FileSystem.At(previousPath).DeleteFile(previousPath);
            DirectorySync.Sync(_directory);
        }
    }
}
