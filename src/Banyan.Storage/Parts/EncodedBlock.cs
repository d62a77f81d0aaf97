using Banyan.Storage.Bytes;
using Banyan.Storage.Encodings;

namespace Banyan.Storage.Parts;

/// <summary>
/// One block on its way through a <see cref="PartWriter"/>: its timestamp frame, field frames and tag frames encoded
/// and compressed (the costly step, which blocks can take on several threads at once), waiting for the
/// writer to append them to the part's files in block order and give them their offsets (the cheap,
/// ordered step). Reused from block to block: the buffers keep their capacity.
/// </summary>
internal sealed class EncodedBlock : IDisposable
{
    private readonly List<EncodedColumn> _fields = [];
    private readonly List<EncodedColumn> _tags = [];
    private int _fieldCount;
    private int _tagCount;

    /// <summary>The block whose frames these are; its keys and statistics go into the header when it is placed.</summary>
    public Block Block { get; set; } = null!;

    /// <summary>Whether <see cref="Block"/> is the writer's own (returned to its spare blocks once placed) rather than the caller's.</summary>
    public bool OwnedByWriter { get; set; }

    public bool TimestampsStored { get; set; }

    public bool VersionsStored { get; set; }

    public long ConstantVersion { get; set; }

    public IntegerEncodingKind TimestampsEncoding { get; set; }

    public IntegerEncodingKind VersionsEncoding { get; set; }

    /// <summary>The framed timestamps and versions (empty when neither is stored).</summary>
    public ByteBuffer TimestampsFrame { get; } = new(256);

    /// <summary>What the frame writer returned for <see cref="TimestampsFrame"/> (its size, header included).</summary>
    public int TimestampsFrameSize { get; set; }

    /// <summary>Encoded field columns, in the block's column order; the first <see cref="FieldCount"/> are this block's.</summary>
    public IReadOnlyList<EncodedColumn> Fields => _fields;

    public int FieldCount => _fieldCount;

    /// <summary>Encoded tag columns, in the block's column order; the first <see cref="TagCount"/> are this block's.</summary>
    public IReadOnlyList<EncodedColumn> Tags => _tags;

    public int TagCount => _tagCount;

    /// <summary>Forgets the previous block's fields and tags (their buffers are kept for reuse).</summary>
    public void ClearColumns()
    {
        _fieldCount = 0;
        _tagCount = 0;
    }

    /// <summary>The next field slot, its frame cleared.</summary>
    public EncodedColumn NextField() => NextSlot(_fields, ref _fieldCount);

    /// <summary>The next tag slot, its frame cleared.</summary>
    public EncodedColumn NextTag() => NextSlot(_tags, ref _tagCount);

    private static EncodedColumn NextSlot(List<EncodedColumn> slots, ref int used)
    {
        if (used == slots.Count)
        {
            slots.Add(new EncodedColumn());
        }

        EncodedColumn slot = slots[used++];
        slot.Frame.Clear();
        return slot;
    }

    public void Dispose()
    {
        TimestampsFrame.Dispose();
        foreach (EncodedColumn column in _fields.Concat(_tags))
        {
            column.Frame.Dispose();
        }
    }
}
