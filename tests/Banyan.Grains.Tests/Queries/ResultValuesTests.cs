using Banyan.Api.Model.V1;
using Banyan.Grains.Queries;
using Banyan.Storage.Values;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using TagValue = Banyan.Api.Model.V1.TagValue;

namespace Banyan.Grains.Tests.Queries;

/// <summary>Stored values as BanyanDB's response values, timestamps both ways, and the order of ORDER BY a tag.</summary>
public sealed class ResultValuesTests
{
    [Theory]
    [InlineData(0L, 0L, 0)]
    [InlineData(1_500_000_007L, 1L, 500_000_007)]
    [InlineData(-1L, -1L, 999_999_999)]
    [InlineData(-1_000_000_000L, -1L, 0)]
    [InlineData(-1_000_000_001L, -2L, 999_999_999)]
    [InlineData(long.MaxValue, 9_223_372_036L, 854_775_807)]
    [InlineData(long.MinValue, -9_223_372_037L, 145_224_192)]
    public void Timestamps_round_trip_with_nanos_never_negative(long nanos, long seconds, int nanosPart)
    {
        Timestamp timestamp = ResultValues.ToTimestamp(nanos);
        Assert.Equal(seconds, timestamp.Seconds);
        Assert.Equal(nanosPart, timestamp.Nanos);
        Assert.Equal(nanos, ResultValues.ToNanos(timestamp, unset: 42));
    }

    [Fact]
    public void Timestamps_beyond_the_64_bit_range_saturate_and_an_absent_one_is_the_default()
    {
        Assert.Equal(long.MaxValue, ResultValues.ToNanos(new Timestamp { Seconds = 10_000_000_000 }, 0));
        Assert.Equal(long.MaxValue, ResultValues.ToNanos(new Timestamp { Seconds = 9_223_372_036, Nanos = 854_775_808 }, 0));
        Assert.Equal(long.MinValue, ResultValues.ToNanos(new Timestamp { Seconds = -10_000_000_000 }, 0));
        Assert.Equal(long.MaxValue, ResultValues.ToNanos(new Timestamp { Seconds = long.MaxValue, Nanos = 999_999_999 }, 0));
        Assert.Equal(long.MinValue, ResultValues.ToNanos(new Timestamp { Seconds = long.MinValue }, 0));
        Assert.Equal(-17, ResultValues.ToNanos(null, -17));

        // A real bound of BanyanDB's clients: Go's time.Unix(0, MinInt64) and a far future day.
        Assert.Equal(long.MinValue, ResultValues.ToNanos(new Timestamp { Seconds = -9_223_372_037, Nanos = 145_224_192 }, 0));
        Assert.Equal(long.MaxValue, ResultValues.ToNanos(Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero)), 0));
    }

    [Fact]
    public void Compare_puts_nulls_last_and_orders_values_of_each_type()
    {
        Assert.True(ResultValues.Compare(ColumnValue.Null, ColumnValue.FromInt64(long.MinValue)) > 0);
        Assert.True(ResultValues.Compare(ColumnValue.FromInt64(long.MaxValue), ColumnValue.Null) < 0);
        Assert.Equal(0, ResultValues.Compare(ColumnValue.Null, ColumnValue.Null));
        Assert.True(ResultValues.Compare(ColumnValue.FromInt64(-5), ColumnValue.FromInt64(3)) < 0);
        Assert.True(ResultValues.Compare(ColumnValue.FromTimestamp(10), ColumnValue.FromInt64(3)) > 0);
        Assert.True(ResultValues.Compare(ColumnValue.FromFloat64(-0.5), ColumnValue.FromFloat64(0.25)) < 0);
        Assert.True(ResultValues.Compare(ColumnValue.FromString("B"), ColumnValue.FromString("a")) < 0);
        Assert.True(ResultValues.Compare(ColumnValue.FromString("ab"), ColumnValue.FromString("a")) > 0);
        Assert.True(ResultValues.Compare(ColumnValue.FromBinary([1, 255]), ColumnValue.FromBinary([2])) < 0);
        Assert.Equal(0, ResultValues.Compare(ColumnValue.FromString("x"), ColumnValue.FromString("x")));

        List<ColumnValue> values = [ColumnValue.FromInt64(7), ColumnValue.Null, ColumnValue.FromInt64(-1), ColumnValue.Null, ColumnValue.FromInt64(3)];
        values.Sort((a, b) => ResultValues.Compare(a, b));
        Assert.Equal([ColumnValue.FromInt64(-1), ColumnValue.FromInt64(3), ColumnValue.FromInt64(7), ColumnValue.Null, ColumnValue.Null], values);
    }

    [Fact]
    public void Stored_values_become_BanyanDB_values_and_a_missing_one_NULL_VALUE()
    {
        Assert.Equal(new TagValue { Null = NullValue.NullValue }, ResultValues.ToTag(ColumnValue.Null));
        Assert.Equal(new TagValue { Str = new Str { Value = "s" } }, ResultValues.ToTag(ColumnValue.FromString("s")));
        Assert.Equal(new TagValue { Int = new Int { Value = -4 } }, ResultValues.ToTag(ColumnValue.FromInt64(-4)));
        Assert.Equal(new TagValue { StrArray = new StrArray { Value = { "a", "b" } } }, ResultValues.ToTag(ColumnValue.FromStringArray(["a", "b"])));
        Assert.Equal(new TagValue { IntArray = new IntArray { Value = { 1, 2 } } }, ResultValues.ToTag(ColumnValue.FromInt64Array([1, 2])));
        Assert.Equal(new TagValue { BinaryData = ByteString.CopyFrom(1, 2) }, ResultValues.ToTag(ColumnValue.FromBinary([1, 2])));
        Assert.Equal(new TagValue { Timestamp = new Timestamp { Seconds = 2, Nanos = 5 } }, ResultValues.ToTag(ColumnValue.FromTimestamp(2_000_000_005)));

        Assert.Equal(new FieldValue { Null = NullValue.NullValue }, ResultValues.ToField(ColumnValue.Null));
        Assert.Equal(new FieldValue { Int = new Int { Value = 9 } }, ResultValues.ToField(ColumnValue.FromInt64(9)));
        Assert.Equal(new FieldValue { Float = new Float { Value = 0.5 } }, ResultValues.ToField(ColumnValue.FromFloat64(0.5)));
        Assert.Equal(new FieldValue { Str = new Str { Value = "f" } }, ResultValues.ToField(ColumnValue.FromString("f")));
        Assert.Equal(new FieldValue { BinaryData = ByteString.CopyFrom(3) }, ResultValues.ToField(ColumnValue.FromBinary([3])));
    }
}
