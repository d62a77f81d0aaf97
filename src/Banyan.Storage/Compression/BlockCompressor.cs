using Banyan.Storage.Bytes;
using K4os.Compression.LZ4;

namespace Banyan.Storage.Compression;

/// <summary>
/// Compresses and decompresses frame payloads with zstd (the system's libzstd, or ZstdSharp.Port
/// where libzstd is missing) or lz4 (K4os.Compression.LZ4). zstd contexts are created once per
/// thread and reused (a context holds ~1 MiB of tables; creating one per call would dominate small
/// payloads); native ones are freed by their <see cref="System.Runtime.InteropServices.SafeHandle"/>
/// when the thread ends. Payloads below <see cref="MinCompressSize"/> bytes, and payloads that do
/// not shrink, are stored raw.
/// </summary>
public static unsafe class BlockCompressor
{
    /// <summary>Payloads smaller than this are stored raw: the codec header would eat the gain.</summary>
    public const int MinCompressSize = 64;

    /// <summary>Largest decompressed payload a frame may declare (guards allocations against corrupt lengths).</summary>
    public const int MaxRawLength = 256 << 20;

    /// <summary>
    /// Which zstd implementation runs. Both read and write standard zstd frames, so parts written by
    /// one are read by the other. The system's libzstd is preferred (it decompresses about 1.6× faster,
    /// see docs/benchmarks.md); where it cannot be loaded (an image without libzstd1, Windows, macOS)
    /// the managed port runs. <c>BANYAN_ZSTD=managed</c> or <c>native</c> forces one.
    /// </summary>
    internal static ZstdBackend ZstdBackend { get; set; } = ChooseZstdBackend();

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
            written = CompressZstd(ZstdBackend, zstdLevel, source, output);
        }
        else if (codec == CompressionCodec.Lz4)
        {
            Span<byte> destination = output.GetSpan(LZ4Codec.MaximumOutputSize(source.Length));
            written = LZ4Codec.Encode(source, destination, LZ4Level.L00_FAST);

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
                if (!TryDecompressZstd(ZstdBackend, source, destination))
                {
                    EncodingCorruption.Throw(0, "zstd payload does not decompress to the declared length");
                }

                return;

            case CompressionCodec.Lz4:
                {
                    int result = LZ4Codec.Decode(source, destination);
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

    /// <summary>Compresses with <paramref name="backend"/> into the free space of <paramref name="output"/> (not advanced); returns the compressed size.</summary>
    internal static int CompressZstd(ZstdBackend backend, int level, ReadOnlySpan<byte> source, ByteBuffer output)
    {
        if (backend == ZstdBackend.Managed)
        {
            return ManagedZstd.Compress(level, source, output.GetSpan(ManagedZstd.CompressBound(source.Length)));
        }

        Span<byte> destination = output.GetSpan((int)ZstdNative.CompressBound((nuint)source.Length));
        ZstdCompressionContextHandle context = s_compressionContext ??= CreateCompressionContext();
        nuint result;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            result = ZstdNative.CompressCCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length, level);
        }

        if (ZstdNative.IsError(result) != 0)
        {
            throw new InvalidOperationException($"zstd compression failed with code {(long)result} (bug: the output bound was computed by zstd)");
        }

        return (int)result;
    }

    /// <summary>Decompresses with <paramref name="backend"/>; false unless the payload is valid and fills <paramref name="destination"/> exactly.</summary>
    internal static bool TryDecompressZstd(ZstdBackend backend, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (backend == ZstdBackend.Managed)
        {
            return ManagedZstd.TryDecompress(source, destination);
        }

        ZstdDecompressionContextHandle context = s_decompressionContext ??= CreateDecompressionContext();
        nuint result;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            result = ZstdNative.DecompressDCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length);
        }

        return ZstdNative.IsError(result) == 0 && (int)result == destination.Length;
    }

    private static ZstdBackend ChooseZstdBackend()
    {
        string? forced = Environment.GetEnvironmentVariable("BANYAN_ZSTD");
        if (string.Equals(forced, "managed", StringComparison.OrdinalIgnoreCase))
        {
            return ZstdBackend.Managed;
        }

        if (string.Equals(forced, "native", StringComparison.OrdinalIgnoreCase))
        {
            return ZstdBackend.Native;
        }

        return ZstdNative.IsAvailable() ? ZstdBackend.Native : ZstdBackend.Managed;
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
