using Banyan.Storage.Compression;
using Banyan.Storage.Rows;

namespace Banyan.Storage.Parts;

/// <summary>How a part is cut into blocks and compressed.</summary>
public sealed record PartWriterOptions
{
    /// <summary>Default options.</summary>
    public static PartWriterOptions Default { get; } = new();

    /// <summary>Measure blocks are cut at this many rows (BanyanDB's 8,192).</summary>
    public int MaxMeasureRowsPerBlock { get; init; } = 8192;

    /// <summary>Blocks of both kinds are cut when their uncompressed size reaches this (2 MiB).</summary>
    public long MaxBlockBytes { get; init; } = 2 << 20;

    /// <summary>A primary.bin chunk is closed when its raw headers reach this many bytes.</summary>
    public int PrimaryChunkBytes { get; init; } = 64 << 10;

    /// <summary>Compression of column frames and header chunks.</summary>
    public CompressionCodec Codec { get; init; } = CompressionCodec.Zstd;

    /// <summary>
    /// zstd level (1–22). 1 is the default: on metric columns (varint-coded deltas of decimal
    /// mantissas) levels 1, 3 and 5 give the same size within 0.2 %, and 1 is the fastest.
    /// </summary>
    public int ZstdLevel { get; init; } = 1;

    /// <summary>
    /// Format version of the part written: <see cref="PartFileMagic.FormatVersion"/> (4) by default; 1 to 3 write
    /// the earlier layouts (for tests of reading old parts, and for a rollback to a build that reads only those: they
    /// store entity tags like any other tag).
    /// </summary>
    public uint FormatVersion
    {
        get => _formatVersion;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, PartFileMagic.OldestReadableVersion);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, PartFileMagic.FormatVersion);
            _formatVersion = value;
        }
    }

    private readonly uint _formatVersion = PartFileMagic.FormatVersion;

    /// <summary>
    /// zstd level (1–22) of primary.bin's header chunks in format 2. Headers are a few percent of a part
    /// and read once per chunk: on the peer dataset level 3 stores them in 1.5 % fewer bytes than level 1,
    /// level 9 in 5 % fewer but compresses several times slower, on every flush and merge (docs/benchmarks.md,
    /// issue 15). Decompression speed does not depend on it.
    /// </summary>
    public int PrimaryZstdLevel { get; init; } = 3;

    /// <summary>
    /// zstd level (1–22) of binary field columns, such as a TopN aggregation's result lists: blocks of lists that
    /// repeat the same entities, megabytes per block, where a higher level finds the repeats level 1 misses. On the
    /// peer dataset's TopN lists (2.1 MB a block) level 7 stores 28 % fewer bytes than level 1 for about twice the
    /// compression time, a few tens of milliseconds per block (docs/benchmarks.md, "TopN lists compressed harder").
    /// Other columns keep <see cref="ZstdLevel"/>. Decompression speed does not depend on it.
    /// </summary>
    public int BinaryZstdLevel { get; init; } = 7;

    /// <summary>
    /// Whether flushes and merges encode and compress blocks (timestamps, fields and tags) on two threads (the writer's and one
    /// from the thread pool) when the machine has more than one core: each 64 blocks the writer has assembled are encoded
    /// on the pool thread while it assembles the next 64. The bytes written are the same either way (each frame depends
    /// only on its block; the writer appends them in block order); a flush or merge running while nothing else does
    /// takes about half the time or less.
    /// </summary>
    public bool ParallelEncoding { get; init; } = true;

    /// <summary>Whether to fsync files and directories (tests of non-durable paths may turn it off).</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Row limit of one block for <paramref name="kind"/>.</summary>
    public int MaxRowsPerBlock(DataKind kind) => kind == DataKind.Measure ? MaxMeasureRowsPerBlock : BlockHeaderCodec.MaxRowsPerBlock;
}
