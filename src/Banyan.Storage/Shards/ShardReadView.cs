using Banyan.Storage.Parts;
using Banyan.Storage.Query;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Shards;

/// <summary>
/// A reader's hold on one view of a shard: its disk parts (oldest first), its memory parts (in
/// write order) and the acknowledged writes not yet in a memory part, which are read through a
/// transient sorted copy made for the read and never installed. Taking it does no write-side work;
/// flushes and merges that replace parts meanwhile cannot close or delete the ones it lists. Dispose
/// it when the read is done.
/// </summary>
public sealed class ShardReadView : IDisposable
{
    private readonly ShardView _view;
    private readonly DataKind _kind;
    private readonly PartWriterOptions _options;
    private IReadOnlyList<IPartReader>? _all;
    private int _disposed;

    internal ShardReadView(ShardView view, DataKind kind, PartWriterOptions options)
    {
        _view = view;
        _kind = kind;
        _options = options;
    }

    /// <summary>The view's epoch: it increases with every change of the shard (write, seal, flush, merge).</summary>
    public long Epoch => _view.Epoch;

    /// <summary>
    /// Every part, oldest data first (list order decides which equal-version measure row wins): the disk
    /// parts, the memory parts, then a transient part of the buffered writes (made on first use).
    /// </summary>
    public IReadOnlyList<IPartReader> Parts => _all ??= PartsFor(SeriesTimeFilter.All, null, null);

    /// <summary>How many of <see cref="Parts"/> (the first ones) are on disk.</summary>
    public int DiskPartCount => _view.Disk.Length;

    /// <summary>Memory parts (writes sealed into parts, not yet flushed).</summary>
    public int MemoryPartCount => _view.Memory.Length;

    /// <summary>Acknowledged writes not yet sealed into a memory part.</summary>
    public int BufferedWrites => _view.Buffered.Length;

    /// <summary>Rows of <see cref="BufferedWrites"/>.</summary>
    public long BufferedRows => _view.BufferedRows;

    internal ShardView View => _view;

    /// <summary>Releases the view.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _view.Release();
        }
    }

    /// <summary>
    /// The parts a read of <paramref name="filter"/> needs: disk and memory parts, then a transient part
    /// of the buffered writes with rows in the filter (of <paramref name="subject"/> only, when given;
    /// unnamed writes count as <paramref name="defaultSubject"/>'s).
    /// </summary>
    internal List<IPartReader> PartsFor(SeriesTimeFilter filter, string? subject, string? defaultSubject)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var parts = new List<IPartReader>(_view.Disk.Length + _view.Memory.Length + 1);
        foreach (Snapshots.PartHandle<IPartReader> handle in _view.Disk)
        {
            parts.Add(handle.Part);
        }

        foreach (MemoryPartEntry entry in _view.Memory)
        {
            parts.Add(entry.Handle.Part);
        }

        List<WriteBatch>? batches = null;
        foreach (BufferedWrite write in _view.Buffered.Span)
        {
            if (filter.OverlapsTime(write.MinTimestamp, write.MaxTimestamp) && Belongs(write, subject, defaultSubject))
            {
                (batches ??= []).Add(write.Batch);
            }
        }

        if (batches is not null)
        {
            parts.AddRange(MemoryPartBuilder.BuildAll(batches, _kind, _options, filter));
        }

        return parts;
    }

    /// <summary>Adds the series of the buffered writes of <paramref name="subject"/> in the time range to <paramref name="series"/>.</summary>
    internal void AddBufferedSeries(string subject, string? defaultSubject, long minTimestamp, long maxTimestamp, HashSet<ulong> series)
    {
        foreach (BufferedWrite write in _view.Buffered.Span)
        {
            if (write.MinTimestamp <= maxTimestamp && write.MaxTimestamp >= minTimestamp && Belongs(write, subject, defaultSubject))
            {
                foreach (ulong id in write.Batch.SeriesIds)
                {
                    series.Add(id);
                }
            }
        }
    }

    private static bool Belongs(BufferedWrite write, string? subject, string? defaultSubject)
    {
        if (subject is null)
        {
            return true;
        }

        string of = write.Batch.Subject.Length == 0 ? defaultSubject ?? string.Empty : write.Batch.Subject;
        return string.Equals(of, subject, StringComparison.Ordinal);
    }
}
