namespace Banyan.Grains.Writes.Wire;

/// <summary>
/// A series' tag families as one of its data points carried them on the wire, with what the decoder read from those
/// bytes: the next point of the series that carries the same bytes is given the same tag values without decoding them
/// again, and is known to be of that series without building its key (<see cref="DataPointWireDecoder"/>,
/// <see cref="SeriesIdCache.Resolve(WireRow, ReadOnlySpan{byte})"/>).
/// </summary>
/// <remarks>
/// Why: a writer sends a series' tags byte for byte alike in every point (SkyWalking's OAP, the peer load), and decoding
/// three tag strings and keying the series by them again was about a fifth of the write planner's work. The bytes are
/// compared whole, tags and lengths included, so the point's families decode to exactly what is recorded: the decoder
/// reads a field from its own bytes alone. Only families written one after the other are recorded (protobuf writes a
/// message's fields in their order); a point whose families differ, or that has one more family after them, is decoded
/// field by field as before.
/// </remarks>
internal sealed class WireTagFamilies
{
    private readonly byte[] _bytes;
    private readonly Slot[] _slots;

    private WireTagFamilies(byte[] bytes, int familyCount, Slot[] slots)
    {
        _bytes = bytes;
        FamilyCount = familyCount;
        _slots = slots;
    }

    /// <summary>How many tag families the bytes hold.</summary>
    public int FamilyCount { get; }

    /// <summary>How many bytes the families take on the wire, their field tags and lengths included.</summary>
    public int Length => _bytes.Length;

    /// <summary>
    /// The families of <paramref name="row"/>, decoded from <paramref name="point"/> field by field: null when its
    /// families were not one after the other (<see cref="WireRow.FamiliesStart"/> is -1).
    /// </summary>
    public static WireTagFamilies? Of(SubjectLayout layout, WireRow row, ReadOnlySpan<byte> point)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(row);
        if (row.FamiliesStart < 0 || row.FamilyCount == 0)
        {
            return null;
        }

        int start = row.FamiliesStart;
        List<Slot> slots = [];
        for (int family = 0; family < row.FamilyCount; family++)
        {
            foreach (int column in layout.WrittenTagColumns(family))
            {
                // A decoded family has no undeclared tag (the decoder refuses them), and a column is written by one
                // family only; the last value read for it is the one the row holds.
                if (column >= 0 && !slots.Exists(s => s.Column == column))
                {
                    WireValueKind kind = row.Kinds[column];
                    bool text = kind == WireValueKind.Utf8;
                    bool number = kind is WireValueKind.Int64 or WireValueKind.Float64;
                    slots.Add(new Slot(column, kind, text ? row.Starts[column] - start : 0, text ? row.Lengths[column] : 0, number ? row.Numbers[column] : 0));
                }
            }
        }

        return new WireTagFamilies(point[start..row.FamiliesEnd].ToArray(), row.FamilyCount, [.. slots]);
    }

    /// <summary>
    /// When <paramref name="point"/> carries these families' bytes from <paramref name="at"/> (where a family field's
    /// tag starts), gives <paramref name="row"/> the tag values decoding them gives and answers true; else changes
    /// nothing and answers false.
    /// </summary>
    public bool TryApply(ReadOnlySpan<byte> point, int at, WireRow row)
    {
        if (!point[at..].StartsWith(_bytes))
        {
            return false;
        }

        foreach (Slot slot in _slots)
        {
            row.Kinds[slot.Column] = slot.Kind;
            row.Starts[slot.Column] = at + slot.Start;
            row.Lengths[slot.Column] = slot.Length;
            row.Numbers[slot.Column] = slot.Number;
        }

        return true;
    }

    // One tag column as decoded: a string's start is relative to the families' first byte.
    private readonly record struct Slot(int Column, WireValueKind Kind, int Start, int Length, long Number);
}
