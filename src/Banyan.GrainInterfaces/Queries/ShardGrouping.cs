using System.Collections.Immutable;

namespace Banyan.GrainInterfaces.Queries;

/// <summary>
/// A measure query's <c>group_by</c> (and <c>agg</c>) done where the data is: instead of every matching row, a shard
/// returns one row per group, the group's first row in the query's order (its tags are what the answer shows), with a
/// <see cref="PartialAggregate"/> of <see cref="Field"/> over the group's rows. Shards hold disjoint series and
/// segments disjoint time ranges, so the caller merges the groups of all shards into the same answer as grouping every
/// row itself, for a fraction of the rows crossing silos.
/// </summary>
/// <param name="GroupBy">The tags whose values make a group (empty: one group of every row).</param>
/// <param name="Field">The field to aggregate; null when the query groups without aggregating.</param>
/// <param name="Descending">True when the query orders by time descending: a group's first row is then its newest.</param>
/// <param name="NeedsSum">
/// True when the aggregation reads the sum (SUM, MEAN): a float sum must then be added row by row in the query's order,
/// so a shard cannot take it from block statistics (MAX, MIN and COUNT, and integer sums, it can).
/// </param>
/// <param name="SkipsMinMax">
/// True when the aggregation reads neither the minimum nor the maximum (COUNT, SUM, MEAN): a shard that answers from
/// block statistics then counts or sums the blocks a bound cuts without finding their extremes, and counts evenly spaced
/// ones from their headers (the partial aggregates' minimum and maximum are then unspecified). False, the default, is
/// the safe reading: a grouping from a silo that predates the field arrives without it and gets every part.
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.ShardGrouping")]
public sealed record ShardGrouping(
    [property: Id(0)] ImmutableArray<ShardColumn> GroupBy,
    [property: Id(1)] string? Field,
    [property: Id(2)] bool Descending,
    [property: Id(3)] bool NeedsSum = true,
    [property: Id(4)] bool SkipsMinMax = false);
