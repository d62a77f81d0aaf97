using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Schema;

namespace Banyan.Grains.TopN;

/// <summary>
/// A TopN request's <c>agg</c> over the values of one entity, with BanyanDB's arithmetic
/// (<c>pkg/query/aggregation</c>): MEAN is the sum divided by the count (integer division for INT), COUNT the number
/// of values (as the field's type), SUM, MAX and MIN as named.
/// </summary>
internal static class TopNAggregate
{
    /// <summary>Checks <paramref name="function"/> is a defined function.</summary>
    /// <exception cref="SchemaValidationException">It is not.</exception>
    public static void Validate(AggregationFunction function)
    {
        if (!Enum.IsDefined(function))
        {
            throw new SchemaValidationException("agg", $"{(int)function} is not a defined aggregation function");
        }
    }

    /// <summary>
    /// <paramref name="function"/> (not <see cref="AggregationFunction.Unspecified"/>) of <paramref name="values"/>
    /// (at least one, all of one type).
    /// </summary>
    public static TopNRank Apply(AggregationFunction function, IReadOnlyList<TopNRank> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfZero(values.Count);
        bool isFloat = values[0].IsFloat;
        switch (function)
        {
            case AggregationFunction.Count:
                return isFloat ? TopNRank.OfFloat(values.Count) : TopNRank.OfInt(values.Count);
            case AggregationFunction.Max:
                return values.Max();
            case AggregationFunction.Min:
                return values.Min();
            case AggregationFunction.Sum:
            case AggregationFunction.Mean:
                if (isFloat)
                {
                    double sum = values.Sum(v => v.Float);
                    return TopNRank.OfFloat(function == AggregationFunction.Sum ? sum : sum / values.Count);
                }
                else
                {
                    long sum = 0;
                    foreach (TopNRank v in values)
                    {
                        sum = unchecked(sum + v.Int);
                    }

                    return TopNRank.OfInt(function == AggregationFunction.Sum ? sum : sum / values.Count);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(function), function, "no aggregation to apply; this is a bug in the caller");
        }
    }
}
