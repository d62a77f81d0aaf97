using Banyan.Storage.Encodings;

namespace Banyan.Storage.Compression;

/// <summary>
/// Compresses and decompresses frame payloads with zstd or lz4. Native zstd contexts are created
/// once per thread and reused (a context holds ~1 MiB of tables; creating one per call would
/// dominate small payloads) and freed by their <see cref="System.Runtime.InteropServices.SafeHandle"/>
/// when the thread ends. Payloads below <see cref="MinCompressSize"/> bytes, and payloads that do
/// not shrink, are stored raw.
/// </summary>
public static unsafe class BlockCompressor
{
    /// <summary>Payloads smaller than this are stored raw: the codec header would eat the gain.</summary>
    public const int MinCompressSize = 64;

    /// <summary>Largest decompressed payload a frame may declare (guards allocations against corrupt lengths).</summary>
    public const int MaxRawLength = 256 << 20;

    [ThreadStatic]
    private static ZstdCompressionContextHandle? s_compressionContext;

    [ThreadStatic]
    private static ZstdDecompressionContextHandle? s_decompressionContext;

    /// <summary>
    /// Appends <paramref name="source"/> to <paramref name="output"/>, compressed with
    /// <paramref name="codec"/> when that helps, and returns the codec actually used.
    /// </summary>
    public static CompressionCodec Compress(CompressionCodec codec, int zstdLevel, ReadOnlySpan<byte> source, ByteBuffer output)
    {
        if (codec == CompressionCodec.None || source.Length < MinCompressSize)
        {
            output.Write(source);
            return CompressionCodec.None;
        }

        int start = output.Length;
        int written;
        if (codec == CompressionCodec.Zstd)
        {
            int bound = (int)ZstdNative.CompressBound((nuint)source.Length);
            Span<byte> destination = output.GetSpan(bound);
            ZstdCompressionContextHandle context = s_compressionContext ??= CreateCompressionContext();
            nuint result;
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                result = ZstdNative.CompressCCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length, zstdLevel);
            }

            if (ZstdNative.IsError(result) != 0)
            {
                throw new InvalidOperationException($"zstd compression failed with code {(long)result} (bug: the output bound was computed by zstd)");
            }

            written = (int)result;
        }
        else if (codec == CompressionCodec.Lz4)
        {
            int bound = Lz4Native.CompressBound(source.Length);
            Span<byte> destination = output.GetSpan(bound);
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                written = Lz4Native.CompressDefault(src, dst, source.Length, destination.Length);
            }

            if (written <= 0)
            {
                throw new InvalidOperationException("lz4 compression failed (bug: the output bound was computed by lz4)");
            }
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown compression codec");
        }

        if (written >= source.Length)
        {
            output.SetLength(start);
            output.Write(source);
            return CompressionCodec.None;
        }

        output.Advance(written);
        return codec;
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> into exactly <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="StorageCorruptionException">The payload is not valid for the codec or has another length.</exception>
    public static void Decompress(CompressionCodec codec, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (codec)
        {
            case CompressionCodec.None:
                if (source.Length != destination.Length)
                {
                    EncodingCorruption.Throw(0, $"raw payload of {source.Length} bytes, header says {destination.Length}");
                }

                source.CopyTo(destination);
                return;

            case CompressionCodec.Zstd:
                {
                    ZstdDecompressionContextHandle context = s_decompressionContext ??= CreateDecompressionContext();
                    nuint result;
                    fixed (byte* src = source)
                    fixed (byte* dst = destination)
                    {
                        result = ZstdNative.DecompressDCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length);
                    }

                    if (ZstdNative.IsError(result) != 0 || (int)result != destination.Length)
                    {
                        EncodingCorruption.Throw(0, "zstd payload does not decompress to the declared length");
                    }

                    return;
                }

            case CompressionCodec.Lz4:
                {
                    int result;
                    fixed (byte* src = source)
                    fixed (byte* dst = destination)
                    {
                        result = Lz4Native.DecompressSafe(src, dst, source.Length, destination.Length);
                    }

                    if (result != destination.Length)
                    {
                        EncodingCorruption.Throw(0, "lz4 payload does not decompress to the declared length");
                    }

                    return;
                }

            default:
                EncodingCorruption.Throw(0, $"unknown compression codec {(byte)codec}");
                return;
        }
    }

    private static ZstdCompressionContextHandle CreateCompressionContext()
    {
        ZstdCompressionContextHandle handle = ZstdNative.CreateCCtx();
        if (handle.IsInvalid)
        {
            throw new InvalidOperationException("ZSTD_createCCtx returned NULL");
        }

        return handle;
    }

    private static ZstdDecompressionContextHandle CreateDecompressionContext()
    {
        ZstdDecompressionContextHandle handle = ZstdNative.CreateDCtx();
        if (handle.IsInvalid)
        {
            throw new InvalidOperationException("ZSTD_createDCtx returned NULL");
        }

        return handle;
    }
}
