using ZstdSharp;

namespace Banyan.Storage.Compression;

/// <summary>
/// zstd through ZstdSharp.Port. A compressor or decompressor holds its context (about 1 MiB of
/// tables), so one of each is kept per thread and reused, as with the native contexts.
/// </summary>
internal static class ManagedZstd
{
    [ThreadStatic]
    private static Compressor? s_compressor;

    [ThreadStatic]
    private static Decompressor? s_decompressor;

    public static int CompressBound(int length) => Compressor.GetCompressBound(length);

    public static int Compress(int level, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Compressor compressor = s_compressor ??= new Compressor(level);
        if (compressor.Level != level)
        {
            compressor.Level = level;
        }

        return compressor.Wrap(source, destination);
    }

    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Decompressor decompressor = s_decompressor ??= new Decompressor();
        try
        {
            return decompressor.TryUnwrap(source, destination, out int written) && written == destination.Length;
        }
        catch (ZstdException)
        {
            return false;
        }
    }
}
