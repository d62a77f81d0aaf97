namespace Banyan.Storage.Compression;

/// <summary>How a frame payload is compressed; stored as one byte in every frame header.</summary>
public enum CompressionCodec : byte
{
    /// <summary>Stored as is (tiny payloads, or payloads compression did not shrink).</summary>
    None = 0,

    /// <summary>Zstandard (RFC 8878): the system's libzstd.so.1, or ZstdSharp.Port where it is missing.</summary>
    Zstd = 1,

    /// <summary>LZ4 block format (K4os.Compression.LZ4).</summary>
    Lz4 = 2,
}
