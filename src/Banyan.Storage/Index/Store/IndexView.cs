using Banyan.Storage.Index.Segments;
namespace Banyan.Storage.Index.Store;

/// <summary>
/// An immutable view of an <see cref="IndexStore"/>: flushed segments then in-memory ones, in document
/// order. Queries hold a view, so flushes and merges never change what a running query sees. (The
/// word "snapshot" is kept for the shard's snapshot files, <c>Snapshots/</c>.)
/// </summary>
public sealed class IndexView
{
    internal IndexView(IndexManifest manifest, IReadOnlyList<IndexSegment> flushed, IReadOnlyList<IndexSegment> memory, IReadOnlyList<long> memoryBatchSequences)
    {
        Manifest = manifest;
        Flushed = flushed;
        Memory = memory;
        MemoryBatchSequences = memoryBatchSequences;
    }

    /// <summary>The manifest the flushed segments come from.</summary>
    public IndexManifest Manifest { get; }

    /// <summary>Segments in files.</summary>
    public IReadOnlyList<IndexSegment> Flushed { get; }

    /// <summary>Segments built from write batches not yet flushed.</summary>
    public IReadOnlyList<IndexSegment> Memory { get; }

    internal IReadOnlyList<long> MemoryBatchSequences { get; }

    /// <summary>
    /// Every batch at or below this sequence is in the flushed segments (no batch of the in-memory ones is);
    /// <see cref="long.MaxValue"/> when nothing is in memory.
    /// </summary>
    internal long FlushedThrough => MemoryBatchSequences.Count == 0 ? long.MaxValue : MemoryBatchSequences[0] - 1;

    /// <summary>All segments, flushed first.</summary>
    public IEnumerable<IndexSegment> Segments => Flushed.Concat(Memory);
}
