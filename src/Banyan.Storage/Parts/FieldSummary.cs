using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>
/// The summary of one numeric field: COUNT, SUM, MIN, MAX and MEAN, combined block by block from
/// <see cref="ColumnStatistics"/> (from a block header, or computed over decoded rows). The value a
/// <see cref="FieldSummaryReader"/> returns.
/// </summary>
public struct FieldSummary : IEquatable<FieldSummary>
{
    /// <summary>Type of the field (Int64, Timestamp or Float64); 0 until a block was added.</summary>
    public ColumnValueType Type { get; private set; }

    /// <summary>Number of non-null values.</summary>
    public long Count { get; private set; }

    /// <summary>Exact sum of an integer field (see <see cref="Int64SumOverflowed"/>).</summary>
    public long Int64Sum { get; private set; }

    /// <summary>The integer sum overflowed 64 bits.</summary>
    public bool Int64SumOverflowed { get; private set; }

    /// <summary>Minimum of an integer field.</summary>
    public long Int64Min { get; private set; }

    /// <summary>Maximum of an integer field.</summary>
    public long Int64Max { get; private set; }

    /// <summary>Sum of a float field: per-block sums (in row order) added in block order.</summary>
    public double Float64Sum { get; private set; }

    /// <summary>Minimum of a float field (NaN if any value is NaN).</summary>
    public double Float64Min { get; private set; }

    /// <summary>Maximum of a float field (NaN if any value is NaN).</summary>
    public double Float64Max { get; private set; }

    /// <summary>
    /// Blocks whose values were taken from their header statistics, the field's values not decoded. (Their timestamps
    /// may still have been read: a shard compares the timestamps of a series whose blocks overlap between parts, to
    /// find keys with versions in two of them.)
    /// </summary>
    public int BlocksFromStatistics { get; internal set; }

    /// <summary>
    /// Blocks whose field values were decoded and summed from their rows: those across a bound of the range (or of an
    /// interval), and every block of a series a shard read through its row merge because a key has rows in two parts.
    /// </summary>
    public int BlocksDecoded { get; internal set; }

    /// <summary>SUM / COUNT as a double; NaN when there are no values.</summary>
    public readonly double Mean => Count == 0 ? double.NaN : (ColumnValueTypes.IsInteger(Type) ? (double)Int64Sum : Float64Sum) / Count;

    /// <summary>Adds one block's statistics.</summary>
    public void Add(in ColumnStatistics statistics)
    {
        if (!statistics.IsPresent || statistics.Count == 0)
        {
            return;
        }

        if (Type != 0 && Type != statistics.Type)
        {
            throw new InvalidOperationException($"field is {Type} in one block and {statistics.Type} in another");
        }

        bool first = Count == 0;
        Type = statistics.Type;
        Count += statistics.Count;
        if (statistics.Type == ColumnValueType.Float64)
        {
            Float64Sum += statistics.Float64Sum;
            Float64Min = first ? statistics.Float64Min : Math.Min(Float64Min, statistics.Float64Min);
            Float64Max = first ? statistics.Float64Max : Math.Max(Float64Max, statistics.Float64Max);
            return;
        }

        long sum = unchecked(Int64Sum + statistics.Int64Sum);
        Int64SumOverflowed |= statistics.SumOverflowed || (((Int64Sum ^ sum) & (statistics.Int64Sum ^ sum)) < 0);
        Int64Sum = sum;
        Int64Min = first ? statistics.Int64Min : Math.Min(Int64Min, statistics.Int64Min);
        Int64Max = first ? statistics.Int64Max : Math.Max(Int64Max, statistics.Int64Max);
    }

    /// <inheritdoc />
    public readonly bool Equals(FieldSummary other) =>
        Type == other.Type && Count == other.Count && Int64Sum == other.Int64Sum && Int64SumOverflowed == other.Int64SumOverflowed
        && Int64Min == other.Int64Min && Int64Max == other.Int64Max
        && BitConverter.DoubleToInt64Bits(Float64Sum) == BitConverter.DoubleToInt64Bits(other.Float64Sum)
        && BitConverter.DoubleToInt64Bits(Float64Min) == BitConverter.DoubleToInt64Bits(other.Float64Min)
        && BitConverter.DoubleToInt64Bits(Float64Max) == BitConverter.DoubleToInt64Bits(other.Float64Max);

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is FieldSummary other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(Type, Count, Int64Sum, Float64Sum);

    /// <summary>Equality (values only, not the block counters).</summary>
    public static bool operator ==(FieldSummary left, FieldSummary right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(FieldSummary left, FieldSummary right) => !left.Equals(right);

    /// <inheritdoc />
    public override readonly string ToString() =>
        $"{Type} count={Count} sum={(ColumnValueTypes.IsInteger(Type) ? Int64Sum : Float64Sum)} min={(ColumnValueTypes.IsInteger(Type) ? Int64Min : Float64Min)} max={(ColumnValueTypes.IsInteger(Type) ? Int64Max : Float64Max)}";
}
