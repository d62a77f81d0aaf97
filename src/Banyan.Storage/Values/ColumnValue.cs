namespace Banyan.Storage.Values;

/// <summary>
/// One typed value (or null) for the row-at-a-time write API. Bulk ingest should use the columnar
/// appends of <c>WriteBatch</c> instead, which need no value per row.
/// </summary>
public readonly struct ColumnValue : IEquatable<ColumnValue>
{
    private readonly long _integer;
    private readonly double _float;
    private readonly object? _reference;

    private ColumnValue(ColumnValueType type, bool isNull, long integer, double @float, object? reference)
    {
        Type = type;
        IsNull = isNull;
        _integer = integer;
        _float = @float;
        _reference = reference;
    }

    /// <summary>The value's type (for a null, the type it was declared with, or 0).</summary>
    public ColumnValueType Type { get; }

    /// <summary>True for a null value.</summary>
    public bool IsNull { get; }

    /// <summary>A null.</summary>
    public static ColumnValue Null => new(0, true, 0, 0, null);

    /// <summary>An int64 value.</summary>
    public static ColumnValue FromInt64(long value) => new(ColumnValueType.Int64, false, value, 0, null);

    /// <summary>A timestamp in nanoseconds.</summary>
    public static ColumnValue FromTimestamp(long nanoseconds) => new(ColumnValueType.Timestamp, false, nanoseconds, 0, null);

    /// <summary>A float64 value.</summary>
    public static ColumnValue FromFloat64(double value) => new(ColumnValueType.Float64, false, 0, value, null);

    /// <summary>A string value (null gives a null value).</summary>
    public static ColumnValue FromString(string? value) => value is null ? Null : new(ColumnValueType.String, false, 0, 0, value);

    /// <summary>A binary value (null gives a null value).</summary>
    public static ColumnValue FromBinary(byte[]? value) => value is null ? Null : new(ColumnValueType.Binary, false, 0, 0, value);

    /// <summary>A string array (null gives a null value; elements must not be null).</summary>
    public static ColumnValue FromStringArray(string[]? value) => value is null ? Null : new(ColumnValueType.StringArray, false, 0, 0, value);

    /// <summary>An int64 array (null gives a null value).</summary>
    public static ColumnValue FromInt64Array(long[]? value) => value is null ? Null : new(ColumnValueType.Int64Array, false, 0, 0, value);

    /// <summary>The integer of an Int64 or Timestamp value.</summary>
    public long Int64Value => _integer;

    /// <summary>The double of a Float64 value.</summary>
    public double Float64Value => _float;

    /// <summary>The string, byte[], string[] or long[] of a reference-typed value.</summary>
    public object? Reference => _reference;

    /// <inheritdoc />
    public bool Equals(ColumnValue other)
    {
        if (IsNull || other.IsNull)
        {
            return IsNull == other.IsNull;
        }

        if (Type != other.Type)
        {
            return false;
        }

        return Type switch
        {
            ColumnValueType.Int64 or ColumnValueType.Timestamp => _integer == other._integer,
            ColumnValueType.Float64 => BitConverter.DoubleToInt64Bits(_float) == BitConverter.DoubleToInt64Bits(other._float),
            ColumnValueType.String => (string)_reference! == (string)other._reference!,
            ColumnValueType.Binary => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
            ColumnValueType.StringArray => ((string[])_reference!).AsSpan().SequenceEqual((string[])other._reference!),
            ColumnValueType.Int64Array => ((long[])_reference!).AsSpan().SequenceEqual((long[])other._reference!),
            _ => false,
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ColumnValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, IsNull, _integer, _float);

    /// <summary>Equality operator.</summary>
    public static bool operator ==(ColumnValue left, ColumnValue right) => left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(ColumnValue left, ColumnValue right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsNull ? "null" : Type switch
    {
        ColumnValueType.Int64 or ColumnValueType.Timestamp => _integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ColumnValueType.Float64 => _float.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ColumnValueType.String => $"\"{_reference}\"",
        ColumnValueType.StringArray => "[" + string.Join(",", (string[])_reference!) + "]",
        ColumnValueType.Int64Array => "[" + string.Join(",", (long[])_reference!) + "]",
        _ => Convert.ToHexString((byte[])_reference!),
    };
}
