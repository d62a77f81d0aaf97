using Banyan.Storage.Durability;
using Banyan.Storage.Index.Segments;
namespace Banyan.Storage.Index.Store;

/// <summary>
/// The inverted index of one shard and segment (the <c>idx/</c> folder): in-memory segments per write
/// batch, flushed to immutable <c>.idx</c> files and merged by explicit calls, made visible through a
/// manifest written with write-temp, fsync, rename.
/// </summary>
/// <remarks>
/// <para>No background thread: the owner (the shard) calls <see cref="AddBatch"/>, <see cref="Flush"/> and
/// <see cref="Merge"/> one at a time. Readers take <see cref="View"/> at any time from any thread.</para>
/// <para>Crash recovery: the index state is a function of the write batches. After a restart the shard
/// replays its WAL through <see cref="AddBatch"/>; batches whose sequence is at or below the manifest's
/// <see cref="IndexManifest.AppliedBatchSequence"/> are already in flushed files and are skipped, so
/// replay never duplicates documents. Files no manifest lists (a flush or merge cut short) are deleted
/// on open.</para>
/// </remarks>
public sealed class IndexStore
{
    private readonly string _directory;
    private readonly IndexSchema _schema;
    private volatile IndexView _current;

    private IndexStore(string directory, IndexSchema schema, IndexView snapshot)
    {
        _directory = directory;
        _schema = schema;
        _current = snapshot;
    }

    /// <summary>The folder.</summary>
    public string Directory => _directory;

    /// <summary>The tags this store indexes.</summary>
    public IndexSchema Schema => _schema;

    /// <summary>Highest batch sequence in flushed files; replayed batches up to it are skipped.</summary>
    public long AppliedBatchSequence => _current.Manifest.AppliedBatchSequence;

    /// <summary>Highest batch sequence added (flushed or in memory); -1 when none.</summary>
    public long LastBatchSequence => _current.MemoryBatchSequences.Count > 0 ? _current.MemoryBatchSequences[^1] : AppliedBatchSequence;

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

    /// <summary>
    /// Indexes one write batch as a new in-memory segment. Returns false (and changes nothing) when
    /// <paramref name="batchSequence"/> is already in flushed files, which makes WAL replay idempotent.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence does not increase over the last batch added.</exception>
    public bool AddBatch(long batchSequence, IReadOnlyList<IndexDocument> documents)
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

        using var builder = new IndexSegmentBuilder(_schema);
        foreach (IndexDocument d in documents)
        {
            builder.Add(d);
        }

        IndexSegment segment = builder.Build($"{_directory}/memory-batch-{batchSequence}");
        _current = new IndexView(current.Manifest, current.Flushed, [.. current.Memory, segment], [.. current.MemoryBatchSequences, batchSequence]);
        return true;
    }

    /// <summary>
    /// Writes all in-memory segments as one file and publishes a manifest that lists it; afterwards the
    /// WAL up to <see cref="AppliedBatchSequence"/> is no longer needed by the index. No-op when nothing is in memory.
    /// </summary>
    public void Flush()
    {
        IndexView current = _current;
        if (current.Memory.Count == 0)
        {
            return;
        }

        IndexManifest m = current.Manifest;
        ulong id = m.NextSegmentId;
        string path = Path.Combine(_directory, IndexManifest.SegmentFileName(id));
        IndexSegment merged = IndexSegmentMerger.Merge(current.Memory, _schema, path);
        AtomicFile.Write(path, merged.Image);
        var entries = new List<IndexManifestEntry>(m.Segments) { new(id, (uint)merged.DocCount, (ulong)merged.Image.Length) };
        var next = new IndexManifest(m.Epoch + 1, current.MemoryBatchSequences[^1], id + 1, entries);
        Publish(m, next);
        _current = new IndexView(next, [.. current.Flushed, merged], [], []);
    }

    /// <summary>Merges all flushed segments into one file (no-op with fewer than two) and deletes the inputs once the new manifest is durable.</summary>
    public void Merge()
    {
        IndexView current = _current;
        if (current.Flushed.Count < 2)
        {
            return;
        }

        IndexManifest m = current.Manifest;
        ulong id = m.NextSegmentId;
        string path = Path.Combine(_directory, IndexManifest.SegmentFileName(id));
        IndexSegment merged = IndexSegmentMerger.Merge(current.Flushed, _schema, path);
        AtomicFile.Write(path, merged.Image);
        var next = new IndexManifest(m.Epoch + 1, m.AppliedBatchSequence, id + 1, [new IndexManifestEntry(id, (uint)merged.DocCount, (ulong)merged.Image.Length)]);
        Publish(m, next);
        _current = new IndexView(next, [merged], current.Memory, current.MemoryBatchSequences);
        foreach (IndexManifestEntry old in m.Segments)
        {
            string oldPath = Path.Combine(_directory, IndexManifest.SegmentFileName(old.SegmentId));
            FileSystem.At(oldPath).DeleteFile(oldPath);
        }

        DirectorySync.Sync(_directory);
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
