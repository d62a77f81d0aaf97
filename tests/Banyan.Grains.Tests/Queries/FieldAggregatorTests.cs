using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Schema;
using Banyan.Grains.Queries;
using Banyan.Storage.Values;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Grains.Tests.Queries;

/// <summary>MEAN, MAX, MIN, COUNT and SUM over int and float fields as BanyanDB computes them: ints stay ints, nulls are skipped.</summary>
public sealed class FieldAggregatorTests
{
    [Fact]
    public void MEAN_of_ints_truncates_toward_zero_as_Go_integer_division_does()
    {
        Assert.Equal(Int(1), Aggregate(AggregationFunction.Mean, Ints(1, 2, 2)));
        Assert.Equal(Int(-3), Aggregate(AggregationFunction.Mean, Ints(-7, 0)));
        Assert.Equal(Int(4), Aggregate(AggregationFunction.Mean, Ints(4)));
    }

    [Fact]
    public void MEAN_of_floats_is_the_float_mean()
    {
        Assert.Equal(Float(1.5), Aggregate(AggregationFunction.Mean, Floats(1.0, 2.0)));
        Assert.Equal(Float(0.25), Aggregate(AggregationFunction.Mean, Floats(-0.5, 1.0)));
    }

    [Fact]
    public void MAX_MIN_and_SUM_keep_the_field_type()
    {
        Assert.Equal(Int(9), Aggregate(AggregationFunction.Max, Ints(3, 9, -2)));
        Assert.Equal(Int(-2), Aggregate(AggregationFunction.Min, Ints(3, 9, -2)));
        Assert.Equal(Int(10), Aggregate(AggregationFunction.Sum, Ints(3, 9, -2)));
        Assert.Equal(Float(9.5), Aggregate(AggregationFunction.Max, Floats(3.25, 9.5, -2.0)));
        Assert.Equal(Float(-2.0), Aggregate(AggregationFunction.Min, Floats(3.25, 9.5, -2.0)));
        Assert.Equal(Float(10.75), Aggregate(AggregationFunction.Sum, Floats(3.25, 9.5, -2.0)));
    }

    [Fact]
    public void COUNT_has_the_field_type()
    {
        Assert.Equal(Int(3), Aggregate(AggregationFunction.Count, Ints(5, 5, 5)));
        Assert.Equal(Float(2), Aggregate(AggregationFunction.Count, Floats(0.5, 7.0)));
    }

    [Fact]
    public void Nulls_and_values_that_are_not_numbers_are_skipped()
    {
        ColumnValue[] values = [ColumnValue.FromInt64(4), ColumnValue.Null, ColumnValue.FromString("x"), ColumnValue.FromInt64(8), ColumnValue.Null];
        Assert.Equal(Int(2), Aggregate(AggregationFunction.Count, values));
        Assert.Equal(Int(6), Aggregate(AggregationFunction.Mean, values));
        Assert.Equal(Int(4), Aggregate(AggregationFunction.Min, values));
        Assert.Equal(Int(8), Aggregate(AggregationFunction.Max, values));
        Assert.Equal(Int(12), Aggregate(AggregationFunction.Sum, values));
    }

    [Fact]
    public void An_empty_group_aggregates_to_null_and_counts_zero()
    {
        FieldValue nullValue = new() { Null = NullValue.NullValue };
        foreach (AggregationFunction function in new[] { AggregationFunction.Mean, AggregationFunction.Max, AggregationFunction.Min, AggregationFunction.Sum })
        {
            Assert.Equal(nullValue, Aggregate(function, []));
            Assert.Equal(nullValue, Aggregate(function, [ColumnValue.Null, ColumnValue.Null]));
        }

        Assert.Equal(Int(0), Aggregate(AggregationFunction.Count, []));
        Assert.Equal(Int(0), Aggregate(AggregationFunction.Count, [ColumnValue.Null]));
    }

    [Fact]
    public void An_unspecified_function_is_refused_naming_the_field()
    {
        SchemaValidationException e = Assert.Throws<SchemaValidationException>(() => new FieldAggregator(AggregationFunction.Unspecified));
        Assert.Equal("agg.function", e.Field);
        Assert.Contains("MEAN, MAX, MIN, COUNT or SUM", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Partial_aggregates_of_any_split_add_up_to_the_aggregate_of_all_values(int seed)
    {
        // What shards do (ShardGrouping): each aggregates its own values; the partials combined must give the answer
        // one aggregator over every value gives, for every function, ints and floats, nulls included.
        Random random = new(seed);
        foreach (bool floats in new[] { false, true })
        {
            ColumnValue[] values = [.. Enumerable.Range(0, 200).Select(_ => random.Next(10) == 0 ? ColumnValue.Null
                : floats ? ColumnValue.FromFloat64(random.Next(-1000, 1000) / 4.0) : ColumnValue.FromInt64(random.Next(-1000, 1000)))];
            foreach (AggregationFunction function in new[] { AggregationFunction.Mean, AggregationFunction.Max, AggregationFunction.Min, AggregationFunction.Count, AggregationFunction.Sum })
            {
                FieldAggregator merged = new(function);
                int start = 0;
                while (start < values.Length)
                {
                    int length = random.Next(0, 40);
                    PartialAggregate partial = default;
                    foreach (ColumnValue value in values.Skip(start).Take(length))
                    {
                        partial = FieldAggregator.Accumulate(partial, value);
                    }

                    merged.Add(partial);
                    start += length;
                }

                Assert.Equal(Aggregate(function, values), merged.Result());
            }
        }
    }

    private static FieldValue Aggregate(AggregationFunction function, ColumnValue[] values)
    {
        FieldAggregator aggregator = new(function);
        foreach (ColumnValue value in values)
        {
            aggregator.Add(value);
        }

        return aggregator.Result();
    }

    private static ColumnValue[] Ints(params long[] values) => [.. values.Select(ColumnValue.FromInt64)];

    private static ColumnValue[] Floats(params double[] values) => [.. values.Select(ColumnValue.FromFloat64)];

    private static FieldValue Int(long value) => new() { Int = new Int { Value = value } };

    private static FieldValue Float(double value) => new() { Float = new Banyan.Api.Model.V1.Float { Value = value } };
}
