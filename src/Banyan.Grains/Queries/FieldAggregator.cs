using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Grains.Queries;

/// <summary>
/// One aggregation of a measure field over a group of data points (BanyanDB's <c>pkg/query/aggregation</c>): MEAN, MAX,
/// MIN, COUNT and SUM of an int or float field. Null values are skipped. Int fields stay ints (MEAN truncates, as Go's
/// integer division); COUNT has the field's type. Values are kept as a <see cref="PartialAggregate"/>, so the groups
/// shards aggregated (<see cref="ShardGrouping"/>) add up with <see cref="Add(PartialAggregate)"/> to the same answer.
/// </summary>
internal sealed class FieldAggregator
{
    private readonly AggregationFunction _function;
    private PartialAggregate _values;

    /// <summary>An aggregator of <paramref name="function"/>.</summary>
    /// <exception cref="SchemaValidationException">The function is unspecified.</exception>
    public FieldAggregator(AggregationFunction function)
    {
        if (function is not (AggregationFunction.Mean or AggregationFunction.Max or AggregationFunction.Min or AggregationFunction.Count or AggregationFunction.Sum))
        {
            throw new SchemaValidationException("agg.function", $"the aggregation function must be MEAN, MAX, MIN, COUNT or SUM, got {function}");
        }

        _function = function;
    }

    /// <summary>The values added so far.</summary>
    public PartialAggregate Values => _values;

    /// <summary>Adds one value (nulls, and values that are not numbers, are skipped).</summary>
    public void Add(in ColumnValue value) => _values = Accumulate(_values, value);

    /// <summary>Adds the values a shard aggregated.</summary>
    public void Add(PartialAggregate values) => _values = _values.Combine(values);

    /// <summary><paramref name="values"/> with <paramref name="value"/> added (nulls, and values that are not numbers, are skipped).</summary>
    public static PartialAggregate Accumulate(PartialAggregate values, in ColumnValue value)
    {
        if (value.IsNull || value.Type is not (ColumnValueType.Int64 or ColumnValueType.Float64))
        {
            return values;
        }

        bool isFloat = value.Type == ColumnValueType.Float64;
        double number = isFloat ? value.Float64Value : value.Int64Value;
        long integer = isFloat ? 0 : value.Int64Value;
        PartialAggregate one = new(
            1,
            integer,
            isFloat ? number : 0,
            isFloat,
            number,
            number,
            isFloat ? long.MaxValue : integer,
            isFloat ? long.MinValue : integer);
        return values.Combine(one);
    }

    /// <summary>The aggregate as a field value (null when no value was added, except COUNT, which is then 0).</summary>
    public FieldValue Result()
    {
        PartialAggregate v = _values;
        if (_function == AggregationFunction.Count)
        {
            // The count has the field's type (BanyanDB's counter is generic over the field's number type).
            return ResultValues.ToField(v.IsFloat ? ColumnValue.FromFloat64(v.Count) : ColumnValue.FromInt64(v.Count));
        }

        if (v.Count == 0)
        {
            return ResultValues.ToField(ColumnValue.Null);
        }

        return _function switch
        {
            AggregationFunction.Max => ResultValues.ToField(v.IsFloat ? ColumnValue.FromFloat64(v.Max) : ColumnValue.FromInt64(v.IntMax)),
            AggregationFunction.Min => ResultValues.ToField(v.IsFloat ? ColumnValue.FromFloat64(v.Min) : ColumnValue.FromInt64(v.IntMin)),
            AggregationFunction.Sum => ResultValues.ToField(v.IsFloat ? ColumnValue.FromFloat64(v.FloatSum + v.IntSum) : ColumnValue.FromInt64(v.IntSum)),
            _ => ResultValues.ToField(v.IsFloat ? ColumnValue.FromFloat64((v.FloatSum + v.IntSum) / v.Count) : ColumnValue.FromInt64(v.IntSum / v.Count)),
        };
    }
}
