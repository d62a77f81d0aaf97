using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Queries;

/// <summary>
/// What one shard does for a TopN query (<see cref="Shards.IShardGrain.QueryTopN"/>): the ranked lists of one TopN
/// aggregation in one direction whose window starts in a time range (persisted ones, and the windows the shard still
/// holds in memory), merged into one item per entity (its best value), the best <see cref="TopN"/> of them.
/// </summary>
/// <param name="Group">The TopN aggregation's group.</param>
/// <param name="Name">The TopN aggregation's name.</param>
/// <param name="Descending">True for the top N (<c>SORT_DESC</c>), false for the bottom N (<c>SORT_ASC</c>).</param>
/// <param name="GroupKey">The group-by value whose lists are read (from the request's conditions); null: every list.</param>
/// <param name="MinTimestamp">Earliest window start (ns since the Unix epoch), inclusive.</param>
/// <param name="MaxTimestamp">Latest window start (ns since the Unix epoch), inclusive.</param>
/// <param name="TopN">At most this many items are returned.</param>
/// <param name="EntityTagNames">The source measure's entity tag names: the keys of each item's entity tags.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.TopNShardQuery")]
public sealed record TopNShardQuery(
    [property: Id(0)] string Group,
    [property: Id(1)] string Name,
    [property: Id(2)] bool Descending,
    [property: Id(3)] string? GroupKey,
    [property: Id(4)] long MinTimestamp,
    [property: Id(5)] long MaxTimestamp,
    [property: Id(6)] int TopN,
    [property: Id(7)] ImmutableArray<string> EntityTagNames);
