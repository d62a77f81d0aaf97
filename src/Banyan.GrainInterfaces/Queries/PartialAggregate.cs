namespace Banyan.GrainInterfaces.Queries;

/// <summary>
/// What every aggregation function needs of one group's values of a numeric field, from one shard: partial aggregates
/// of several shards add up (<see cref="Combine"/>) to the aggregate of all their values. Null values are not counted.
/// </summary>
/// <param name="Count">Non-null values.</param>
/// <param name="IntSum">Sum of the int values (wrapping, as Go's int64 addition).</param>
/// <param name="FloatSum">Sum of the float values.</param>
/// <param name="IsFloat">True when a value was a float (the field is a float field).</param>
/// <param name="Min">The smallest value as a double (every value, ints included); meaningless when <see cref="Count"/> is 0.</param>
/// <param name="Max">The largest value as a double.</param>
/// <param name="IntMin">The smallest int value, exact (the answer when no value was a float).</param>
/// <param name="IntMax">The largest int value, exact.</param>
[GenerateSerializer]
[Immutable]
[Alias("banyan.PartialAggregate")]
public readonly record struct PartialAggregate(
    [property: Id(0)] long Count,
    [property: Id(1)] long IntSum,
    [property: Id(2)] double FloatSum,
    [property: Id(3)] bool IsFloat,
    [property: Id(4)] double Min,
    [property: Id(5)] double Max,
    [property: Id(6)] long IntMin,
    [property: Id(7)] long IntMax)
{
    /// <summary>The aggregate of the values of both.</summary>
    public PartialAggregate Combine(PartialAggregate other)
    {
        if (other.Count == 0)
        {
            return this;
        }

        if (Count == 0)
        {
            return other;
        }

        return new PartialAggregate(
            Count + other.Count,
            unchecked(IntSum + other.IntSum),
            FloatSum + other.FloatSum,
            IsFloat || other.IsFloat,
            Math.Min(Min, other.Min),
            Math.Max(Max, other.Max),
            Math.Min(IntMin, other.IntMin),
            Math.Max(IntMax, other.IntMax));
    }
}
