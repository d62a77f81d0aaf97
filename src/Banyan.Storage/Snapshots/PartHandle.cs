namespace Banyan.Storage.Snapshots;

/// <summary>
/// A reference-counted part. The shard's live set holds one reference, each retained snapshot
/// that lists the part but is no longer the live set holds one, and each reader holds one while it
/// scans. When the count drops to zero the part is disposed and, if it was marked obsolete
/// (merged away), its folder is deleted. So a reader's view stays valid while flushes and merges
/// replace parts under it.
/// </summary>
/// <typeparam name="TPart">The part (in memory or on disk).</typeparam>
public sealed class PartHandle<TPart>
    where TPart : class, IDisposable
{
    private readonly Action? _onFreed;
    private int _references = 1;
    private volatile bool _obsolete;

    /// <summary>Creates a handle holding the creator's reference.</summary>
    /// <param name="id">The part id.</param>
    /// <param name="part">The part.</param>
    /// <param name="folder">The part's folder, deleted when obsolete and unreferenced; null for memory parts.</param>
    /// <param name="onFreed">Called once, after the last reference is released (the owner's leak counters).</param>
    public PartHandle(long id, TPart part, string? folder, Action? onFreed = null)
    {
        Id = id;
        Part = part;
        Folder = folder;
        _onFreed = onFreed;
    }

    /// <summary>The part id (its folder name in hex).</summary>
    public long Id { get; }

    /// <summary>The part; valid while a reference is held.</summary>
    public TPart Part { get; }

    /// <summary>The part's folder, or null for a memory part.</summary>
    public string? Folder { get; }

    /// <summary>References held right now (for tests and diagnostics).</summary>
    public int References => Volatile.Read(ref _references);

    /// <summary>Whether the folder will be deleted once the last reference goes.</summary>
    public bool IsObsolete => _obsolete;

    /// <summary>Takes one more reference. Must be called while another reference is held.</summary>
    public void Acquire()
    {
        int after = Interlocked.Increment(ref _references);
        if (after <= 1)
        {
            throw new InvalidOperationException($"bug: part {Id:x16} was acquired after its last reference was released");
        }
    }

    /// <summary>Marks the part merged away: its folder goes when the last reference does.</summary>
    public void MarkObsolete() => _obsolete = true;

    /// <summary>
    /// Keeps the folder after all (the shard is closing while a fallback snapshot still lists the
    /// part); the next open decides from the snapshots whether it is still needed.
    /// </summary>
    public void KeepFolder() => _obsolete = false;

    /// <summary>Drops one reference; the last one disposes the part and deletes an obsolete folder.</summary>
    public void Release()
    {
        int after = Interlocked.Decrement(ref _references);
        if (after > 0)
        {
            return;
        }

        if (after < 0)
        {
            throw new InvalidOperationException($"bug: part {Id:x16} was released more often than acquired");
        }

        try
        {
            Part.Dispose();
            if (_obsolete && Folder is not null)
            {
                try
                {
                    Durability.FileSystem.At(Folder).DeleteDirectory(Folder);
                }
                catch (IOException)
                {
                    // Not listed by any snapshot any more: the next open removes it.
                }
            }
        }
        finally
        {
            _onFreed?.Invoke();
        }
    }
}
