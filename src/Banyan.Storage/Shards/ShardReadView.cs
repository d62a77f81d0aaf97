using Banyan.Storage.Parts;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Shards;

/// <summary>
/// A consistent view of a shard for one reader: its disk parts (oldest first) followed by its
/// memory parts (in write order), each held by a reference so flushes and merges that replace
/// them meanwhile cannot close or delete them. Dispose it when the read is done.
/// </summary>
public sealed class ShardReadView : IDisposable
{
    private readonly PartHandle<IPartReader>[] _handles;
    private readonly IPartReader[] _parts;
    private bool _disposed;

    internal ShardReadView(PartHandle<IPartReader>[] handles, int diskCount)
    {
        _handles = handles;
        DiskPartCount = diskCount;
        _parts = new IPartReader[handles.Length];
        for (int i = 0; i < handles.Length; i++)
        {
            _parts[i] = handles[i].Part;
        }
    }

    /// <summary>The parts, oldest data first: list order decides which equal-version measure row wins.</summary>
    public IReadOnlyList<IPartReader> Parts => _parts;

    /// <summary>How many of <see cref="Parts"/> (the first ones) are on disk.</summary>
    public int DiskPartCount { get; }

    /// <summary>Releases the references.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (PartHandle<IPartReader> handle in _handles)
        {
            handle.Release();
        }
    }
}
