using Banyan.Api.Model.V1;
using Banyan.Storage.Columns;
using Banyan.Storage.Values;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using TagValue = Banyan.Api.Model.V1.TagValue;

namespace Banyan.Grains.Queries;

/// <summary>How stored column values become BanyanDB's response values, and how values of different rows compare.</summary>
internal static class ResultValues
{
    /// <summary>The protobuf tag value of <paramref name="value"/> (null: <c>NULL_VALUE</c>, as BanyanDB answers a missing tag).</summary>
    public static TagValue ToTag(in ColumnValue value) => value.IsNull
        ? new TagValue { Null = NullValue.NullValue }
        : value.Type switch
        {
            ColumnValueType.String => new TagValue { Str = new Str { Value = (string)value.Reference! } },
            ColumnValueType.Int64 => new TagValue { Int = new Int { Value = value.Int64Value } },
            ColumnValueType.StringArray => new TagValue { StrArray = new StrArray { Value = { (string[])value.Reference! } } },
            ColumnValueType.Int64Array => new TagValue { IntArray = new IntArray { Value = { (long[])value.Reference! } } },
            ColumnValueType.Binary => new TagValue { BinaryData = ByteString.CopyFrom((byte[])value.Reference!) },
            ColumnValueType.Timestamp => new TagValue { Timestamp = ToTimestamp(value.Int64Value) },
            _ => new TagValue { Null = NullValue.NullValue },
        };

    /// <summary>The protobuf field value of <paramref name="value"/>.</summary>
    public static FieldValue ToField(in ColumnValue value) => value.IsNull
        ? new FieldValue { Null = NullValue.NullValue }
        : value.Type switch
        {
            ColumnValueType.String => new FieldValue { Str = new Str { Value = (string)value.Reference! } },
            ColumnValueType.Int64 => new FieldValue { Int = new Int { Value = value.Int64Value } },
            ColumnValueType.Float64 => new FieldValue { Float = new Banyan.Api.Model.V1.Float { Value = value.Float64Value } },
            ColumnValueType.Binary => new FieldValue { BinaryData = ByteString.CopyFrom((byte[])value.Reference!) },
            _ => new FieldValue { Null = NullValue.NullValue },
        };

    /// <summary>A protobuf timestamp of <paramref name="nanos"/> since the Unix epoch.</summary>
    public static Timestamp ToTimestamp(long nanos)
    {
        (long seconds, int remainder) = SplitNanos(nanos);
        return new Timestamp { Seconds = seconds, Nanos = remainder };
    }

    /// <summary>
    /// <paramref name="nanos"/> since the Unix epoch as a protobuf timestamp holds them: whole seconds rounded down and
    /// the nanoseconds after them (never negative).
    /// </summary>
    public static (long Seconds, int Nanos) SplitNanos(long nanos)
    {
        long seconds = Math.DivRem(nanos, 1_000_000_000L, out long remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += 1_000_000_000L;
        }

        return (seconds, (int)remainder);
    }

    /// <summary>
    /// Nanoseconds since the Unix epoch of <paramref name="timestamp"/>, saturating at the ends of the 64-bit range
    /// (BanyanDB's clients send <c>time.Unix(0, MinInt64)</c>-like bounds to mean "all"); <paramref name="unset"/> when absent.
    /// </summary>
    public static long ToNanos(Timestamp? timestamp, long unset)
    {
        if (timestamp is null)
        {
            return unset;
        }

        Int128 nanos = ((Int128)timestamp.Seconds * 1_000_000_000) + timestamp.Nanos;
        return nanos > long.MaxValue ? long.MaxValue : nanos < long.MinValue ? long.MinValue : (long)nanos;
    }

    /// <summary>
    /// Orders two values of a column for ORDER BY a tag: nulls last, numbers numerically, strings and bytes byte-wise,
    /// arrays by their first element.
    /// </summary>
    public static int Compare(in ColumnValue x, in ColumnValue y)
    {
        if (x.IsNull || y.IsNull)
        {
            return x.IsNull == y.IsNull ? 0 : x.IsNull ? 1 : -1;
        }

        return (x.Type, y.Type) switch
        {
            (ColumnValueType.Int64 or ColumnValueType.Timestamp, ColumnValueType.Int64 or ColumnValueType.Timestamp) => x.Int64Value.CompareTo(y.Int64Value),
            (ColumnValueType.Float64, ColumnValueType.Float64) => x.Float64Value.CompareTo(y.Float64Value),
            (ColumnValueType.String, ColumnValueType.String) => string.CompareOrdinal((string)x.Reference!, (string)y.Reference!),
            (ColumnValueType.Binary, ColumnValueType.Binary) => ((byte[])x.Reference!).AsSpan().SequenceCompareTo((byte[])y.Reference!),
            _ => x.Type.CompareTo(y.Type),
        };
    }
}
