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
    // The last timestamp remembered: its message's bytes (a canonical one takes at most 2 + 10 + 1 + 5) and its value.
    private readonly byte[] _timestampBytes = new byte[24];
    private int _timestampLength = -1;
    private long _timestampNanos;

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

    /// <summary>How many tag families the data point wrote.</summary>
    public int FamilyCount { get; set; }

    /// <summary>
    /// Where the data point's tag families start (the first family field's tag), when they lie one after the other; -1
    /// when they do not, or were given by <see cref="FamiliesOf"/>.
    /// </summary>
    public int FamiliesStart { get; set; }

    /// <summary>Where the data point's tag families end (one past the last family's bytes).</summary>
    public int FamiliesEnd { get; set; }

    /// <summary>
    /// The series whose recorded families (<see cref="WireSeries.Families"/>) the data point carries byte for byte, all
    /// its families: its entity is that series'. Null when the families were decoded field by field.
    /// </summary>
    public WireSeries? FamiliesOf { get; set; }

    /// <summary>
    /// The timestamp read from <paramref name="timestamp"/> (a <c>Timestamp</c> message's bytes) when they are the bytes
    /// of the last one remembered (<see cref="RememberTimestamp"/>): a batch's points mostly share their timestamp, a
    /// writer sending every series' point of one instant in turn. Kept across <see cref="Clear"/>.
    /// </summary>
    public bool TryRecallTimestamp(ReadOnlySpan<byte> timestamp, out long nanos)
    {
        nanos = _timestampNanos;
        return _timestampLength >= 0 && timestamp.SequenceEqual(_timestampBytes.AsSpan(0, _timestampLength));
    }

    /// <summary>Remembers that <paramref name="timestamp"/>'s bytes are the valid timestamp <paramref name="nanos"/>.</summary>
    public void RememberTimestamp(ReadOnlySpan<byte> timestamp, long nanos)
    {
        if (timestamp.Length > _timestampBytes.Length)
        {
            _timestampLength = -1; // longer than any well-formed Timestamp's canonical bytes: not worth keeping
            return;
        }

        timestamp.CopyTo(_timestampBytes);
        _timestampLength = timestamp.Length;
        _timestampNanos = nanos;
    }

    /// <summary>Every column back to null, and nothing known of the families.</summary>
    public void Clear()
    {
        Array.Clear(Kinds);
        FamilyCount = 0;
        FamiliesStart = -1;
        FamiliesEnd = -1;
        FamiliesOf = null;
    }
}
