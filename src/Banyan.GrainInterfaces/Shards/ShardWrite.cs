using Banyan.Storage.Rows;

namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// One write to a shard grain: the rows of one subject (the stream or measure they belong to) for one
/// (segment, shard). Immutable once handed over, so a call to a shard on the same silo passes it without a copy;
/// across silos <see cref="Batch"/> travels as the engine's columnar encoding (<c>WriteBatchSurrogate</c>).
/// </summary>
/// <param name="Subject">The stream or measure name the rows belong to (their series ids were computed with it).</param>
/// <param name="Batch">The rows, columnar. The caller must not change it after the call.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardWrite")]
public sealed record ShardWrite([property: Id(0)] string Subject, [property: Id(1)] WriteBatch Batch);
