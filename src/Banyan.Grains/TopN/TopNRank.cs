namespace Banyan.Grains.TopN;

/// <summary>
/// The value an item is ranked by: the source measure's ranked field, an INT (<see cref="long"/>) or a FLOAT
/// (<see cref="double"/>) as the field declares. Kept in its own type rather than as a double so that integers above
/// 2^53 rank and come back exactly.
/// </summary>
/// <param name="Int">The value of an INT field (0 for FLOAT).</param>
/// <param name="Float">The value of a FLOAT field (0 for INT).</param>
/// <param name="IsFloat">True for a FLOAT field.</param>
internal readonly record struct TopNRank(long Int, double Float, bool IsFloat) : IComparable<TopNRank>
{
    /// <summary>An INT value.</summary>
    public static TopNRank OfInt(long value) => new(value, 0, false);

    /// <summary>A FLOAT value.</summary>
    public static TopNRank OfFloat(double value) => new(0, value, true);

    /// <summary>Numeric order (values of one aggregation are all INT or all FLOAT).</summary>
    public int CompareTo(TopNRank other) => IsFloat || other.IsFloat
        ? (IsFloat ? Float : Int).CompareTo(other.IsFloat ? other.Float : other.Int)
        : Int.CompareTo(other.Int);

    /// <inheritdoc/>
    public override string ToString() => IsFloat ? Float.ToString(System.Globalization.CultureInfo.InvariantCulture) : Int.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
