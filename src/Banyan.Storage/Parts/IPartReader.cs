using Banyan.Storage.Encodings;
using Banyan.Storage.Query;

namespace Banyan.Storage.Parts;

/// <summary>
/// Read access to a part, on disk (<see cref="PartReader"/>) or in memory (<see cref="MemoryPart"/>).
/// Thread-safe: several queries may read one part at once, each with its own <see cref="Block"/>
/// and <see cref="DecodeScratch"/>.
/// </summary>
public interface IPartReader : IDisposable
{
    /// <summary>Counts, time range and tag families of the part.</summary>
    PartMetadata Metadata { get; }

    /// <summary>
    /// Appends to <paramref name="result"/> the headers of the blocks of the queried series that overlap
    /// the queried time range, in (series id, min timestamp) order. Reads only the header chunks whose
    /// series and time range can match.
    /// </summary>
    void FindBlocks(SeriesTimeFilter query, List<BlockHeader> result);

    /// <summary>
    /// Decodes the block of <paramref name="header"/> into <paramref name="destination"/> (replacing its
    /// content): timestamps, versions and the columns <paramref name="projection"/> selects.
    /// </summary>
    /// <exception cref="StorageCorruptionException">A file's bytes are wrong.</exception>
    void ReadBlock(BlockHeader header, ColumnProjection projection, Block destination, DecodeScratch scratch);
}
