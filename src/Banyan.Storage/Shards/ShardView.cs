using Banyan.Storage.Parts;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

/// <summary>
/// One immutable, epoch-numbered state of a shard (BanyanDB's <c>snapshot</c>, VictoriaMetrics'
/// list of <c>partWrapper</c>s): its <see cref="PartList"/> (the disk parts, oldest data first, and the
/// memory parts, in LSN order) and the acknowledged writes not yet built into a memory part. Made only
/// by the <see cref="PartSet"/>; every change (a write, a seal, a flush, a merge) makes a new view.
/// </summary>
/// <remarks>
/// Reference counted at two levels, like BanyanDB's snapshots over <c>partWrapper</c>s: the part set
/// holds its current view and each reader the view it took; a view holds its part list, and a part
/// list holds one reference on each of its parts. A write makes a new view over the same part list
/// (one reference taken, not one per part); seals, flushes and merges make a new part list. A part
/// stays readable (and its folder on disk) while any view lists it.
/// </remarks>
internal sealed class ShardView
{
    private readonly ShardResources _resources;
    private int _references = 1;

    /// <summary>Makes a view over <paramref name="parts"/>, taking a reference on it (the caller holds one meanwhile).</summary>
    public ShardView(long epoch, PartList parts, ReadOnlyMemory<BufferedWrite> buffered, long bufferedThrough, long bufferedRows, ShardResources resources)
    {
        Epoch = epoch;
        Parts = parts;
        Buffered = buffered;
        BufferedThrough = bufferedThrough;
        BufferedRows = bufferedRows;
        _resources = resources;
        parts.AddRef();
        resources.ViewCreated();
    }

    /// <summary>Increases with every view the part set makes.</summary>
    public long Epoch { get; }

    /// <summary>The parts.</summary>
    public PartList Parts { get; }

    /// <summary>The disk parts, oldest data first (list order decides which equal-version measure row wins).</summary>
    public PartHandle<IPartReader>[] Disk => Parts.Disk;

    /// <summary>The memory parts, in LSN order, newer than every disk part's data.</summary>
    public MemoryPartEntry[] Memory => Parts.Memory;

    /// <summary>
    /// Acknowledged writes not in a memory part yet, in LSN order, newer than every memory part's. A window of an array
    /// the part set appends to past the window's end (never inside a window a view holds), so a write costs no copy of
    /// the writes buffered before it.
    /// </summary>
    public ReadOnlyMemory<BufferedWrite> Buffered { get; }

    /// <summary>Every write with an LSN up to this is in a part or buffered: the seal may take buffered writes up to it.</summary>
    public long BufferedThrough { get; }

    /// <summary>Rows of <see cref="Buffered"/>.</summary>
    public long BufferedRows { get; }

    /// <summary>Takes one more reference; only the part set calls it, while its own is held.</summary>
    public void AddRef()
    {
        if (Interlocked.Increment(ref _references) <= 1)
        {
            throw new InvalidOperationException($"bug: view {Epoch} was taken after its last release");
        }
    }

    /// <summary>Drops one reference; the last one releases the part list.</summary>
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

        Parts.Release();
        _resources.ViewReleased();
    }
}
