namespace Banyan.Storage.Parts;

/// <summary>
/// The parts of a <see cref="FieldSummary"/> a caller reads, so that a summary made for fewer skips the work of the
/// others: a COUNT request needs no value of a block whose rows in the range it can count from the block's header, and
/// a SUM request no minimum or maximum. The count, the type and the first and last timestamps are always made; a part
/// not asked for is left unspecified (from whole blocks it is usually right, from cut ones not).
/// </summary>
[Flags]
public enum SummaryParts
{
    /// <summary>The count of values only (COUNT).</summary>
    Count = 0,

    /// <summary>The sum (SUM, MEAN), and whether an integer sum overflowed.</summary>
    Sum = 1,

    /// <summary>The minimum and maximum (MIN, MAX).</summary>
    MinMax = 2,

    /// <summary>Every part.</summary>
    All = Sum | MinMax,
}
