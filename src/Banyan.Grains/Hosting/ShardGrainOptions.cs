using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;
using Banyan.Storage.Wal;

namespace Banyan.Grains.Hosting;

/// <summary>
/// Periods of the shard grain's timers (section <c>Silo:Shard</c>). The flush period bounds how long
/// written rows stay in memory parts; the WAL keeps them durable meanwhile. The defaults follow
/// BanyanDB's flush cadence (1 s for streams, 5 s for measures).
/// </summary>
public sealed class ShardGrainOptions
{
    /// <summary>Flush period of stream shards.</summary>
    public TimeSpan StreamFlushPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Flush period of measure shards.</summary>
    public TimeSpan MeasureFlushPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Merge period of every shard (the merge policy decides whether a tick merges anything).</summary>
    public TimeSpan MergePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a shard of a segment that time has moved past must go without writes before its parts are merged into
    /// one (the merge timer checks; see <c>EndedSegmentCompaction</c>). Zero turns this off.
    /// </summary>
    public TimeSpan CompactAfterIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Size of the silo's decoded-block cache, shared by all its shards, in MiB (0: none). An aggregation over a short
    /// range decodes the blocks that straddle the range; a chart's next bucket reads the same blocks from here.
    /// </summary>
    public int BlockCacheMegabytes { get; set; } = 64;

    /// <summary>
    /// Buffered writes and memory parts a shard holds before a write starts a flush, in MiB (default 64): with the flush
    /// period, what bounds the memory of a shard being written to. What all the shards of a silo hold together is bounded
    /// by <see cref="MemoryBudgetMegabytes"/>.
    /// </summary>
    public int FlushThresholdMegabytes { get; set; } = 64;

    /// <summary>
    /// The most a shard may hold in buffered writes and memory parts, in MiB (default 128, at least
    /// <see cref="FlushThresholdMegabytes"/>): a write that would exceed it waits for a flush (back-pressure).
    /// </summary>
    public int MaxMemoryMegabytes { get; set; } = 128;

    /// <summary>
    /// What all the shards of the silo may hold together in buffered writes and memory parts, in MiB (default 0:
    /// a quarter of the memory the runtime may use for its heap: in a container 75 % of the container's limit, else the
    /// machine's memory; at least <see cref="MaxMemoryMegabytes"/>). From half of it a write asks the shard holding the most to
    /// flush; a write that would cross it waits for a flush (back-pressure), as at a shard's own bound. A silo writes to
    /// every shard of every live segment of every group, so without this its memory would grow with their number.
    /// </summary>
    public int MemoryBudgetMegabytes { get; set; }

    /// <summary>
    /// What opening a shard does with a WAL whose acknowledged records are damaged (<c>Silo:Shard:WalRecovery</c>):
    /// <see cref="WalRecoveryMode.Strict"/> (the default) refuses to open the shard, and its calls answer the damage
    /// with the file and offset; <see cref="WalRecoveryMode.Repair"/> opens it with every record before the first
    /// damaged byte and drops the rest of the log, logging each dropped range. The operator's choice after a refusal,
    /// for one restart: the rows of the dropped records are lost.
    /// </summary>
    public WalRecoveryMode WalRecovery { get; set; } = WalRecoveryMode.Strict;

    /// <summary>
    /// <see cref="MemoryBudgetMegabytes"/> in bytes, the automatic default resolved against
    /// <paramref name="availableBytes"/> (the memory the process may use).
    /// </summary>
    public long MemoryBudgetBytes(long availableBytes)
    {
        if (MemoryBudgetMegabytes > 0)
        {
            return (long)MemoryBudgetMegabytes << 20;
        }

        return Math.Max(availableBytes / 4, (long)MaxMemoryMegabytes << 20);
    }

    /// <summary>The engine settings of a shard of <paramref name="kind"/> opened by a shard grain, with the silo's block cache and memory budget.</summary>
    public ShardOptions ShardOptionsFor(DataKind kind, DecodedBlockCache? blockCache, MemoryBudget? memoryBudget = null) => new()
    {
        Kind = kind,
        BlockCache = blockCache,
        MemoryBudget = memoryBudget,
        FlushThresholdBytes = (long)FlushThresholdMegabytes << 20,
        MaxMemoryBytes = (long)MaxMemoryMegabytes << 20,
        Wal = new WalOptions { Recovery = WalRecovery },
    };

    /// <summary>
    /// How long a shard that failed to open (damaged files, a full disk during its WAL replay) answers calls with that
    /// failure before the next call tries to open it again (<c>Silo:Shard:OpenRetryInterval</c>, default 5 s; 0: every
    /// call tries). Repaired files or a freed disk are picked up without a restart; a client retrying in a loop does not
    /// keep the silo re-reading the shard's files.
    /// </summary>
    public TimeSpan OpenRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks that every period and memory bound is positive and the cache size, idle time and open retry interval not negative.</summary>
    /// <exception cref="ArgumentException">A period or memory bound is zero or negative, or the cache size, idle time or open retry interval negative.</exception>
    public void Validate()
    {
        if (FlushThresholdMegabytes < 1)
        {
            throw new ArgumentException($"Silo:Shard:FlushThresholdMegabytes is {FlushThresholdMegabytes}; it must be 1 or more.");
        }

        if (MaxMemoryMegabytes < FlushThresholdMegabytes)
        {
            throw new ArgumentException($"Silo:Shard:MaxMemoryMegabytes is {MaxMemoryMegabytes}; it must be at least Silo:Shard:FlushThresholdMegabytes ({FlushThresholdMegabytes}).");
        }

        if (MemoryBudgetMegabytes < 0)
        {
            throw new ArgumentException($"Silo:Shard:MemoryBudgetMegabytes is {MemoryBudgetMegabytes}; it must be 0 (a quarter of the memory the process may use) or more.");
        }

        if (BlockCacheMegabytes < 0)
        {
            throw new ArgumentException($"Silo:Shard:BlockCacheMegabytes is {BlockCacheMegabytes}; it must be 0 (no cache) or more.");
        }

        if (!Enum.IsDefined(WalRecovery))
        {
            throw new ArgumentException($"Silo:Shard:WalRecovery is {(int)WalRecovery}; it must be Strict or Repair.");
        }

        Check(StreamFlushPeriod, "Silo:Shard:StreamFlushPeriod");
        Check(MeasureFlushPeriod, "Silo:Shard:MeasureFlushPeriod");
        Check(MergePeriod, "Silo:Shard:MergePeriod");
        if (CompactAfterIdle < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Shard:CompactAfterIdle is {CompactAfterIdle}; it must be 0 (off) or more.");
        }

        if (OpenRetryInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:Shard:OpenRetryInterval is {OpenRetryInterval}; it must be 0 (every call tries) or more.");
        }
    }

    private static void Check(TimeSpan period, string key)
    {
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{key} is {period}; it must be positive.");
        }
    }
}
