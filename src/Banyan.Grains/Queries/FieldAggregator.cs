using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Storage.Columns;
using Banyan.Storage.Values;

namespace Banyan.Grains.Queries;

/// <summary>
/// One aggregation of a measure field over a group of data points (BanyanDB's <c>pkg/query/aggregation</c>): MEAN, MAX,
/// MIN, COUNT and SUM of an int or float field. Null values are skipped. Int fields stay ints (MEAN truncates, as Go's
/// integer division); COUNT has the field's type.
/// </summary>
internal sealed class FieldAggregator
{
    private readonly AggregationFunction _function;
    private long _count;
    private long _intSum;
    private double _floatSum;
    private ColumnValue _best = ColumnValue.Null;
    private bool _float;

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

    /// <summary>Adds one value (nulls, and values that are not numbers, are skipped).</summary>
    public void Add(in ColumnValue value)
    {
        if (value.IsNull || value.Type is not (ColumnValueType.Int64 or ColumnValueType.Float64))
        {
            return;
        }

        _count++;
        _float = value.Type == ColumnValueType.Float64;
        if (_float)
        {
            _floatSum += value.Float64Value;
        }
        else
        {
            _intSum = unchecked(_intSum + value.Int64Value);
        }

        if (_best.IsNull
            || (_function == AggregationFunction.Max && ResultValues.Compare(value, _best) > 0)
            || (_function == AggregationFunction.Min && ResultValues.Compare(value, _best) < 0))
        {
            _best = value;
        }
    }

    /// <summary>The aggregate as a field value (null when no value was added, except COUNT, which is then 0).</summary>
    public FieldValue Result()
    {
        if (_function == AggregationFunction.Count)
        {
            // The count has the field's type (BanyanDB's counter is generic over the field's number type).
            return ResultValues.ToField(_float ? ColumnValue.FromFloat64(_count) : ColumnValue.FromInt64(_count));
        }

        if (_count == 0)
        {
            return ResultValues.ToField(ColumnValue.Null);
        }

        return _function switch
        {
            AggregationFunction.Max or AggregationFunction.Min => ResultValues.ToField(_best),
            AggregationFunction.Sum => ResultValues.ToField(_float ? ColumnValue.FromFloat64(_floatSum) : ColumnValue.FromInt64(_intSum)),
            _ => ResultValues.ToField(_float ? ColumnValue.FromFloat64(_floatSum / _count) : ColumnValue.FromInt64(_intSum / _count)),
        };
    }
}
