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
    /// the queried time range, in (series id, min timestamp) order; the blocks of one series do not overlap
    /// (each starts at or after the max timestamp of the one before). Every reader keeps this order: a part's
    /// rows are cut into blocks in (series, timestamp) order (<see cref="PartWriter"/> refuses a block out of
    /// order; a memory part is cut from sorted rows), and <see cref="PartReader"/> checks it in the headers it
    /// decodes. Readers of several parts rely on it to merge their lists rather than sort them. Reads only the
    /// header chunks whose series and time range can match.
    /// </summary>
    void FindBlocks(SeriesTimeFilter query, List<BlockHeader> result);

    /// <summary>
    /// Decodes the block of <paramref name="header"/> into <paramref name="destination"/> (replacing its
    /// content): timestamps, versions and the columns <paramref name="projection"/> selects.
    /// </summary>
    /// <exception cref="StorageCorruptionException">A file's bytes are wrong.</exception>
    void ReadBlock(BlockHeader header, ColumnProjection projection, Block destination, DecodeScratch scratch);
}
