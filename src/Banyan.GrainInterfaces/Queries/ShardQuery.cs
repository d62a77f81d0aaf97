using System.Collections.Immutable;
using Banyan.Api.Model.V1;

namespace Banyan.GrainInterfaces.Queries;

/// <summary>
/// What one shard does for a stream or measure query (<see cref="Shards.IShardGrain.Query"/>): the rows of one
/// subject in a time range that satisfy the criteria, with only the columns the query needs. The shard filters where
/// the data is, so only matching rows cross silos; ordering, deduplication across shards, aggregation and paging are
/// the caller's.
/// </summary>
/// <param name="Subject">The stream or measure name.</param>
/// <param name="MinTimestamp">Earliest timestamp (ns since the Unix epoch), inclusive.</param>
/// <param name="MaxTimestamp">Latest timestamp (ns since the Unix epoch), inclusive.</param>
/// <param name="Criteria">BanyanDB's criteria tree, already validated against the schema by the caller; null: every row.</param>
/// <param name="Columns">The columns to return (tags the projection, ordering or grouping needs; fields); criteria tags need not be listed.</param>
/// <param name="MaxRows">At most this many rows; a shard with more matching rows fails the query with <see cref="QueryLimitException"/>.</param>
/// <param name="Grouping">When set, the shard returns one row per group with its partial aggregate (<see cref="ShardGrouping"/>) instead of every row.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardQuery")]
public sealed record ShardQuery(
    [property: Id(0)] string Subject,
    [property: Id(1)] long MinTimestamp,
    [property: Id(2)] long MaxTimestamp,
    [property: Id(3)] Criteria? Criteria,
    [property: Id(4)] ImmutableArray<ShardColumn> Columns,
    [property: Id(5)] int MaxRows,
    [property: Id(6)] ShardGrouping? Grouping = null);
