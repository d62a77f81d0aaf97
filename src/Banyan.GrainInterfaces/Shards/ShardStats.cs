namespace Banyan.GrainInterfaces.Shards;

/// <summary>What a shard holds at one moment.</summary>
/// <param name="Node">The node name of the silo hosting the shard.</param>
/// <param name="MemoryParts">Memory parts (rows written but not yet flushed to a disk part).</param>
/// <param name="DiskParts">Live disk parts.</param>
/// <param name="Rows">Rows summed over all parts; measure rows that a later merge deduplicates count once per part until then.</param>
/// <param name="MemoryBytes">Bytes held by memory parts.</param>
/// <param name="DiskBytes">Bytes of the shard's folder on disk (parts, WAL, indexes, snapshots).</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardStats")]
public sealed record ShardStats(
    [property: Id(0)] string Node,
    [property: Id(1)] int MemoryParts,
    [property: Id(2)] int DiskParts,
    [property: Id(3)] long Rows,
    [property: Id(4)] long MemoryBytes,
    [property: Id(5)] long DiskBytes = 0);
