namespace Banyan.Storage.Encodings;

/// <summary>How a sequence of float64 values is laid out; the first byte of every encoded float sequence.</summary>
public enum FloatEncodingKind : byte
{
    /// <summary>Zigzag varint common exponent, then the mantissas as an integer sequence (<see cref="IntegerSequenceCodec"/>).</summary>
    DecimalMantissa = 0,

    /// <summary>Gorilla XOR bit stream (<see cref="GorillaXorCodec"/>).</summary>
    Xor = 1,

    /// <summary>n little-endian IEEE 754 bit patterns, 8 bytes each.</summary>
    Plain = 2,
}
