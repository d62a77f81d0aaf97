namespace Banyan.Storage.Compression;

/// <summary>How a frame payload is compressed; stored as one byte in every frame header.</summary>
public enum CompressionCodec : byte
{
    /// <summary>Stored as is (tiny payloads, or payloads compression did not shrink).</summary>
    None = 0,

    /// <summary>Zstandard (RFC 8878) through the system's libzstd.so.1.</summary>
    Zstd = 1,

    /// <summary>LZ4 block format through the system's liblz4.so.1.</summary>
    Lz4 = 2,
}
