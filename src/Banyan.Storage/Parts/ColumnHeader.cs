using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>Where one column of one block is stored, and (numeric columns) its statistics.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">Value type.</param>
/// <param name="Offset">Byte offset of the column's frame in fv.bin (fields) or &lt;family&gt;.tf (tags).</param>
/// <param name="Size">Size of that frame, header included.</param>
/// <param name="Encoding">Encoding chosen for the column in this block (see <see cref="Columns.ColumnCodec.Encode(Columns.ColumnBuffer, Bytes.ByteBuffer)"/>); 0 in memory parts.</param>
/// <param name="Statistics">Count/min/max/sum/first/last for numeric fields; not present otherwise.</param>
public sealed record ColumnHeader(string Name, ColumnValueType Type, long Offset, int Size, byte Encoding, ColumnStatistics Statistics)
{
    /// <summary>Most leading payload bytes a format-2 block header holds for a field (<see cref="Descriptor"/>).</summary>
    public const int MaxDescriptorLength = 5;

    /// <summary>
    /// Format 2, fields: the first <see cref="DescriptorLength"/> bytes of the column payload, little-endian,
    /// kept in the block header rather than in the frame. They name the encoding (null flag, kind,
    /// exponent, Rice parameter), which repeats from block to block: in the header's compressed chunk they
    /// cost almost nothing, in a raw frame a byte each.
    /// </summary>
    internal ulong Descriptor { get; init; }

    /// <summary>Number of payload bytes in <see cref="Descriptor"/> (0 to <see cref="MaxDescriptorLength"/>).</summary>
    internal int DescriptorLength { get; init; }

    /// <summary>
    /// A format 4 tag whose rows all hold the block's series' value from its key (<see cref="Columns.ColumnCodec.BytesFromSeriesKey"/>):
    /// no frame. Payload modes of byte columns stop at 2, and the tag directory reader accepts this one only where it
    /// may stand (format 4, string or binary, size 0), so the encoding of a byte column says it.
    /// </summary>
    internal bool FromSeriesKey => Encoding == Columns.ColumnCodec.BytesFromSeriesKey && ColumnValueTypes.IsBytes(Type);
}
