using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Wal;

namespace Banyan.Storage.Shards;

/// <summary>Settings of one <see cref="Shard"/>.</summary>
public sealed class ShardOptions
{
    /// <summary>Measure rows (deduplicated by version) or stream rows (all kept).</summary>
    public DataKind Kind { get; init; } = DataKind.Measure;

    /// <summary>
    /// Whether writes go through the WAL (default true). When false, a write is acknowledged once it
    /// is in memory, and a crash loses what was written since the last completed <see cref="Shard.Flush"/>
    /// (at most one flush interval of data). Chosen per group.
    /// </summary>
    public bool WalEnabled { get; init; } = true;

    /// <summary>WAL file settings (the shard sets <see cref="WalOptions.MinimumNextLsn"/> itself).</summary>
    public WalOptions Wal { get; init; } = new();

    /// <summary>Settings of the parts written by flushes and merges.</summary>
    public PartWriterOptions PartWriter { get; init; } = PartWriterOptions.Default;

    /// <summary>
    /// When the memory parts hold at least this many bytes (uncompressed), the write that crossed
    /// it runs a flush itself before returning (default 64 MiB).
    /// </summary>
    public long FlushThresholdBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Hard bound on memory held by memory parts (default 128 MiB). A write that would exceed it
    /// waits for a flush (back-pressure) instead of growing memory. A single batch larger than the
    /// bound is still accepted when nothing else is held, so no write can wait forever.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = 128L << 20;

    /// <summary>
    /// Writes are buffered and turned into one memory part once this many rows are buffered, or
    /// when a read or flush needs them (default 262,144). Building a part costs per series block,
    /// so one part from many small batches is much cheaper than one part per write.
    /// </summary>
    public int SealRows { get; init; } = 1 << 18;

    /// <summary>
    /// A flush also runs once this many memory parts (one per write) are held (default 256), which
    /// bounds the fan-in of scans over memory parts.
    /// </summary>
    public int MaxMemoryParts { get; init; } = 256;

    /// <summary>
    /// The indexes of the shard's subject (series index and inverted index, see <c>docs/indexing.md</c>),
    /// or null (default) for a shard without indexes. With indexes, every batch must carry the entity
    /// tags, and its series ids must be the hash of the subject and entity values.
    /// </summary>
    public Indexing.ShardIndexConfig? Index { get; init; }

    /// <summary>Merge policy settings.</summary>
    public MergePolicy Merge { get; init; } = new();

    /// <summary>Throws a clear error naming the bad setting.</summary>
    public void Validate()
    {
        if (FlushThresholdBytes < 1)
        {
            throw new ArgumentException($"FlushThresholdBytes must be positive, got {FlushThresholdBytes}", nameof(FlushThresholdBytes));
        }

        if (MaxMemoryBytes < FlushThresholdBytes)
        {
            throw new ArgumentException($"MaxMemoryBytes ({MaxMemoryBytes}) must be at least FlushThresholdBytes ({FlushThresholdBytes})", nameof(MaxMemoryBytes));
        }

        if (SealRows < 1)
        {
            throw new ArgumentException($"SealRows must be positive, got {SealRows}", nameof(SealRows));
        }

        if (MaxMemoryParts < 1)
        {
            throw new ArgumentException($"MaxMemoryParts must be positive, got {MaxMemoryParts}", nameof(MaxMemoryParts));
        }

        Merge.Validate();
        if (Index is not null && Index.Kind != Kind)
        {
            throw new ArgumentException($"Index is configured for a {Index.Kind}, the shard stores {Kind} rows", nameof(Index));
        }
    }
}
