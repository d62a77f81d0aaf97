using Banyan.Storage.Bytes;

namespace Banyan.Storage.Parts;

/// <summary>
/// One entry of meta.bin: a chunk of block headers in primary.bin, with the series and time range
/// of its blocks, so a reader loads only the chunks a query can match. 48 bytes on disk, see
/// docs/format/meta.bin.md.
/// </summary>
/// <param name="FirstSeriesId">Series of the chunk's first block.</param>
/// <param name="LastSeriesId">Series of the chunk's last block.</param>
/// <param name="MinTimestamp">Smallest timestamp of any of its blocks.</param>
/// <param name="MaxTimestamp">Largest timestamp of any of its blocks.</param>
/// <param name="BlockCount">Number of block headers in the chunk.</param>
/// <param name="Offset">Offset of the chunk's frame in primary.bin.</param>
/// <param name="Size">Size of that frame.</param>
public readonly record struct PrimaryChunkInfo(ulong FirstSeriesId, ulong LastSeriesId, long MinTimestamp, long MaxTimestamp, int BlockCount, long Offset, int Size)
{
    /// <summary>Serialized size.</summary>
    public const int SerializedSize = 48;

    internal void Write(ByteBuffer output)
    {
        output.WriteUInt64(FirstSeriesId);
        output.WriteUInt64(LastSeriesId);
        output.WriteInt64(MinTimestamp);
        output.WriteInt64(MaxTimestamp);
        output.WriteUInt32((uint)BlockCount);
        output.WriteInt64(Offset);
        output.WriteUInt32((uint)Size);
    }

    internal static PrimaryChunkInfo Read(ref SpanReader reader) => new(
        reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadInt64(), reader.ReadInt64(), (int)reader.ReadUInt32(), reader.ReadInt64(), (int)reader.ReadUInt32());
}
