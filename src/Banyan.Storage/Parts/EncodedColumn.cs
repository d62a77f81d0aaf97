using Banyan.Storage.Bytes;
using Banyan.Storage.Values;

namespace Banyan.Storage.Parts;

/// <summary>One field or tag column of an <see cref="EncodedBlock"/>: its frame and what its <see cref="ColumnHeader"/> will say.</summary>
internal sealed class EncodedColumn
{
    public ByteBuffer Frame { get; } = new(256);

    public int FrameSize { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The tag family of a tag column; null for a field.</summary>
    public string? Family { get; set; }

    public ColumnValueType Type { get; set; }

    public byte Encoding { get; set; }

    public ulong Descriptor { get; set; }

    public int DescriptorLength { get; set; }

    public ColumnStatistics Statistics { get; set; }
}
