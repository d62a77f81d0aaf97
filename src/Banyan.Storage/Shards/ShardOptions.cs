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
    /// When buffered writes and memory parts hold at least this many bytes (uncompressed), the write
    /// that crossed it starts a flush in the background (default 64 MiB).
    /// </summary>
    public long FlushThresholdBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Hard bound on memory held by buffered writes and memory parts (default 128 MiB). A write that
    /// would exceed it waits for a flush (back-pressure, at most <see cref="WaitTimeout"/>) instead of
    /// growing memory. A single batch larger than the bound is still accepted when nothing else is
    /// held, so no write can wait forever.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = 128L << 20;

    /// <summary>
    /// The bound shared with the other shards of the process on what they hold together in buffered writes and memory
    /// parts (see <see cref="Shards.MemoryBudget"/>); null (the default): only <see cref="MaxMemoryBytes"/> bounds
    /// this shard.
    /// </summary>
    public MemoryBudget? MemoryBudget { get; init; }

    /// <summary>
    /// Writes are buffered and turned into one memory part (in the background) once this many rows
    /// are buffered, or when a flush needs them (default 262,144); reads see buffered writes without
    /// it. Building a part costs per series block, so one part from many small batches is much
    /// cheaper than one part per write.
    /// </summary>
    public int SealRows { get; init; } = 1 << 18;

    /// <summary>
    /// A flush also starts once this many memory parts are held (default 256), which bounds the
    /// fan-in of scans over memory parts.
    /// </summary>
    public int MaxMemoryParts { get; init; } = 256;

    /// <summary>
    /// The indexes of the shard's default subject (series index and inverted index, see
    /// <c>docs/indexing.md</c>): batches that name no subject belong to it (a shard of one subject, or
    /// batches logged before subjects were named). Null (default) for none. With indexes, every batch
    /// must name a configured subject (or be unnamed with a default subject) and carry its entity
    /// tags, and its series ids must be the hash of the subject and entity values.
    /// </summary>
    public Indexing.ShardIndexConfig? Index { get; init; }

    /// <summary>
    /// Subjects (measures or streams of the group) to configure when the shard opens, over those the
    /// shard keeps from earlier (<see cref="Shard.ConfigureSubject"/> adds or changes them while it is open).
    /// </summary>
    public IReadOnlyList<Indexing.ShardIndexConfig> Subjects { get; init; } = [];

    /// <summary>
    /// Bound of every wait of the shard (default 60 s): a write waiting for memory (back-pressure), a
    /// flush or merge waiting to install its snapshot, a close waiting for a running flush or merge.
    /// Exceeding it raises <see cref="TimeoutException"/> naming what was waited for.
    /// </summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Merge policy settings.</summary>
    public MergePolicy Merge { get; init; } = new();

    /// <summary>
    /// Decoded blocks kept for aggregations that read the same blocks again (<see cref="Parts.DecodedBlockCache"/>);
    /// may be shared by every shard of a process. Null (the default): every read decodes.
    /// </summary>
    public Parts.DecodedBlockCache? BlockCache { get; init; }

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

        if (WaitTimeout <= TimeSpan.Zero || WaitTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"WaitTimeout must be positive and at most {int.MaxValue} ms, got {WaitTimeout}", nameof(WaitTimeout));
        }

        Merge.Validate();
        if (Index is not null && Index.Kind != Kind)
        {
            throw new ArgumentException($"Index is configured for a {Index.Kind}, the shard stores {Kind} rows", nameof(Index));
        }

        ArgumentNullException.ThrowIfNull(Subjects, nameof(Subjects));
        foreach (Indexing.ShardIndexConfig subject in Subjects)
        {
            if (subject is null || subject.Kind != Kind)
            {
                throw new ArgumentException($"Subjects: '{subject?.Subject}' is configured for a {subject?.Kind}, the shard stores {Kind} rows", nameof(Subjects));
            }
        }
    }
}
