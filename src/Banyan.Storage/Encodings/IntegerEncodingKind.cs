namespace Banyan.Storage.Encodings;

/// <summary>How a sequence of 64-bit integers is laid out; the first byte of every encoded sequence.</summary>
public enum IntegerEncodingKind : byte
{
    /// <summary>n little-endian 8-byte values; the fallback when varints would be larger.</summary>
    Plain = 0,

    /// <summary>All values equal: one zigzag varint.</summary>
    Const = 1,

    /// <summary>Arithmetic progression: zigzag varint first value, zigzag varint step.</summary>
    DeltaConst = 2,

    /// <summary>Zigzag varint first value, then n-1 zigzag varint differences.</summary>
    Delta = 3,

    /// <summary>Zigzag varint first value, zigzag varint first difference, then n-2 zigzag varint differences of differences.</summary>
    DeltaOfDelta = 4,

    /// <summary>
    /// Golomb-Rice coded residuals of a predictor of order 0–2 around their median (<see cref="RiceCodec"/>);
    /// written only in parts of format version 2 and later.
    /// </summary>
    Rice = 5,
}
