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
}
