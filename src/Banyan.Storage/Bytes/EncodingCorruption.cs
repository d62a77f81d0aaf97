using System.Diagnostics.CodeAnalysis;

namespace Banyan.Storage.Bytes;

/// <summary>
/// Throw helpers for decoders. A decoder only sees a span, not the file it came from, so it
/// reports <see cref="Source"/> and an offset relative to the span; the part reader catches the
/// exception and rethrows it with the real file name and absolute offset.
/// </summary>
public static class EncodingCorruption
{
    /// <summary>The file name decoders put in the exceptions they raise.</summary>
    public const string Source = "(encoded column)";

    /// <summary>Throws <see cref="StorageCorruptionException"/> for bad encoded bytes at <paramref name="offset"/>.</summary>
    [DoesNotReturn]
    public static void Throw(long offset, string detail) => throw new StorageCorruptionException(Source, offset, detail);
}
