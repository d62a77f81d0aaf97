using Banyan.Storage.Rows;

namespace Banyan.Grains.Shards;

/// <summary>
/// The persisted state of a shard grain: the kind the shard was created with, so a re-activated
/// grain can open its shard (and replay its WAL, start its timers) before the next write arrives.
/// Until group schemas are kept by a metadata grain, the first write decides the kind.
/// </summary>
[GenerateSerializer]
[Alias("banyan.ShardGrainState")]
public sealed class ShardGrainState
{
    /// <summary>Measure or stream; null until the first write.</summary>
    [Id(0)]
    public DataKind? Kind { get; set; }

    /// <summary>
    /// True when the shard was created with its subjects configured in the engine (measure shards created since the
    /// grains wire the engine's series index): every write names a configured subject, and queries find a subject's
    /// series in the series index. False for stream shards and for measure shards created before: they are read by
    /// scanning, as they were written.
    /// </summary>
    [Id(1)]
    public bool SubjectsIndexed { get; set; }
}
