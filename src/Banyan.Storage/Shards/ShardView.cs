using Banyan.Storage.Parts;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

/// <summary>
/// One immutable, epoch-numbered state of a shard (BanyanDB's <c>snapshot</c>, VictoriaMetrics'
/// list of <c>partWrapper</c>s): the disk parts (oldest data first), the memory parts (in LSN order)
/// and the acknowledged writes not yet built into a memory part. Made only by the
/// <see cref="PartSet"/>; every change (a write, a seal, a flush, a merge) makes a new view.
/// </summary>
/// <remarks>
/// Reference counted: the part set holds its current view, and each reader holds the view it took.
/// A view holds one reference on each of its parts, so a part stays readable (and its folder on
/// disk) while any view lists it; the last release of a view releases its parts.
/// </remarks>
internal sealed class ShardView
{
    private readonly ShardResources _resources;
    private int _references = 1;

    /// <summary>Makes a view, taking a reference on each part (the caller holds one on each meanwhile).</summary>
    public ShardView(long epoch, PartHandle<IPartReader>[] disk, MemoryPartEntry[] memory, BufferedWrite[] buffered, long bufferedThrough, long bufferedRows, ShardResources resources)
    {
        Epoch = epoch;
        Disk = disk;
        Memory = memory;
        Buffered = buffered;
        BufferedThrough = bufferedThrough;
        BufferedRows = bufferedRows;
        _resources = resources;
        foreach (PartHandle<IPartReader> handle in disk)
        {
            handle.Acquire();
        }

        foreach (MemoryPartEntry entry in memory)
        {
            entry.Handle.Acquire();
        }

        resources.ViewCreated();
    }

    /// <summary>Increases with every view the part set makes.</summary>
    public long Epoch { get; }

    /// <summary>The disk parts, oldest data first (list order decides which equal-version measure row wins).</summary>
    public PartHandle<IPartReader>[] Disk { get; }

    /// <summary>The memory parts, in LSN order, newer than every disk part's data.</summary>
    public MemoryPartEntry[] Memory { get; }

    /// <summary>Acknowledged writes not in a memory part yet, in LSN order, newer than every memory part's.</summary>
    public BufferedWrite[] Buffered { get; }

    /// <summary>Every write with an LSN up to this is in a part or buffered: the seal may take buffered writes up to it.</summary>
    public long BufferedThrough { get; }

    /// <summary>Rows of <see cref="Buffered"/>.</summary>
    public long BufferedRows { get; }

    /// <summary>References held (for tests).</summary>
    public int References => Volatile.Read(ref _references);

    /// <summary>Takes one more reference; only the part set calls it, while its own is held.</summary>
    public void AddRef()
    {
        if (Interlocked.Increment(ref _references) <= 1)
        {
            throw new InvalidOperationException($"bug: view {Epoch} was taken after its last release");
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
            throw new InvalidOperationException($"bug: view {Epoch} was released more often than taken");
        }

        foreach (PartHandle<IPartReader> handle in Disk)
        {
            handle.Release();
        }

        foreach (MemoryPartEntry entry in Memory)
        {
            entry.Handle.Release();
        }

        _resources.ViewReleased();
    }
}
