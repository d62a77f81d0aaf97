namespace Banyan.Grains.Writes.Wire;

/// <summary>What one column of a <see cref="WireRow"/> holds.</summary>
internal enum WireValueKind : byte
{
    /// <summary>Not written, or written as null.</summary>
    Null = 0,

    /// <summary>A string: its UTF-8 bytes in the data point (<see cref="WireRow.Starts"/>, <see cref="WireRow.Lengths"/>).</summary>
    Utf8,

    /// <summary>An int64 (<see cref="WireRow.Numbers"/>).</summary>
    Int64,

    /// <summary>A float64, its bits in <see cref="WireRow.Numbers"/>.</summary>
    Float64,
}

/// <summary>
/// One data point decoded from its wire bytes by <see cref="DataPointWireDecoder"/>: per column of the layout, the kind
/// and either the number or where the string's bytes lie in the data point. Reused for every element of a batch.
/// </summary>
internal sealed class WireRow(int columns)
{
    /// <summary>Per column: what it holds.</summary>
    public WireValueKind[] Kinds { get; } = new WireValueKind[columns];

    /// <summary>Per column: the int64, or the float64's bits.</summary>
    public long[] Numbers { get; } = new long[columns];

    /// <summary>Per column: where a string's bytes start in the data point.</summary>
    public int[] Starts { get; } = new int[columns];

    /// <summary>Per column: how long a string's bytes are.</summary>
    public int[] Lengths { get; } = new int[columns];

    /// <summary>The data point's timestamp, Unix nanoseconds.</summary>
    public long Timestamp { get; set; }

    /// <summary>The data point's <c>version</c> (0 when unset).</summary>
    public long Version { get; set; }

    /// <summary>Every column back to null.</summary>
    public void Clear() => Array.Clear(Kinds);
}
