using System.Runtime.InteropServices;

namespace Banyan.Storage.Compression;

/// <summary>The liblz4 block-format entry points Banyan uses. They keep no state between calls.</summary>
internal static unsafe partial class Lz4Native
{
    private const string Library = "liblz4.so.1";

    [LibraryImport(Library, EntryPoint = "LZ4_compress_default")]
    internal static partial int CompressDefault(byte* source, byte* destination, int sourceSize, int destinationCapacity);

    [LibraryImport(Library, EntryPoint = "LZ4_decompress_safe")]
    internal static partial int DecompressSafe(byte* source, byte* destination, int compressedSize, int destinationCapacity);

    [LibraryImport(Library, EntryPoint = "LZ4_compressBound")]
    internal static partial int CompressBound(int inputSize);
}
