using Banyan.Storage.Parts;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

/// <summary>
/// The parts of one or more consecutive <see cref="ShardView"/>s: the disk parts (oldest data first)
/// and the memory parts (in LSN order). Immutable; holds one reference on each part while any view
/// holds it, and releases them with its last reference.
/// </summary>
internal sealed class PartList
{
    private int _references = 1;

    /// <summary>Makes the list, taking a reference on each part (the caller holds one on each meanwhile). The creator holds the list's first reference.</summary>
    public PartList(PartHandle<IPartReader>[] disk, MemoryPartEntry[] memory)
    {
        Disk = disk;
        Memory = memory;
        foreach (PartHandle<IPartReader> handle in disk)
        {
            handle.Acquire();
        }

        foreach (MemoryPartEntry entry in memory)
        {
            entry.Handle.Acquire();
        }
    }

    /// <summary>The disk parts, oldest data first.</summary>
    public PartHandle<IPartReader>[] Disk { get; }

    /// <summary>The memory parts, in LSN order.</summary>
    public MemoryPartEntry[] Memory { get; }

    /// <summary>Takes one more reference, while another is held.</summary>
    public void AddRef()
    {
        if (Interlocked.Increment(ref _references) <= 1)
        {
            throw new InvalidOperationException("bug: a part list was taken after its last release");
        }
    }

    /// <summary>Drops one reference; the last one releases the parts.</summary>
    public void Release()
    {
        int after = Interlocked.Decrement(ref _references);
        if (after > 0)
        {
            return;
        }

        if (after < 0)
        {
            throw new InvalidOperationException("bug: a part list was released more often than taken");
        }

        foreach (PartHandle<IPartReader> handle in Disk)
        {
            handle.Release();
        }

        foreach (MemoryPartEntry entry in Memory)
        {
            entry.Handle.Release();
        }
    }
}
