using Banyan.Storage.Rows;

namespace Banyan.GrainInterfaces.Shards;

/// <summary>
/// Rows read from one shard (<see cref="IShardGrain.ReadRows"/>), columnar: series ids, timestamps (ns), versions
/// (measures) or element id bits (streams), and one column per field or tag present in the rows read (a row that lacks
/// a column reads null there). In (series id, timestamp) order; measure rows deduplicated by version.
/// </summary>
/// <param name="Rows">The rows, held in the engine's columnar row container (it crosses silos as its checksummed encoding).</param>
/// <param name="Truncated">True when more rows matched than the call's row limit; <see cref="Rows"/> holds the first ones.</param>
/// <param name="Partials">
/// For a query with a <see cref="Queries.ShardGrouping"/>: one partial aggregate per row of <see cref="Rows"/> (each row
/// stands for its group); default otherwise.
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardRows")]
public sealed record ShardRows(
    [property: Id(0)] WriteBatch Rows,
    [property: Id(1)] bool Truncated,
    [property: Id(2)] System.Collections.Immutable.ImmutableArray<Queries.PartialAggregate> Partials = default);
