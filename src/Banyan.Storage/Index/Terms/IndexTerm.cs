using System.Buffers.Binary;
using Banyan.Storage.Bytes;
using Banyan.Storage.Values;

namespace Banyan.Storage.Index.Terms;

/// <summary>
/// How one atom of a tag value becomes a term of the exact-value dictionary: a kind byte, then an
/// order-preserving payload, so byte-wise order of terms is value order within each kind and range
/// conditions become dictionary range scans.
/// </summary>
/// <remarks>
/// Strings: <c>0x01</c> + UTF-8 (byte order = code point order). Int64: <c>0x02</c> + 8 bytes
/// big-endian with the sign bit flipped (so -1 &lt; 0 &lt; 1 byte-wise). Binary: <c>0x04</c> + bytes.
/// Timestamp: <c>0x07</c> + 8 bytes like Int64 (epoch nanoseconds).
/// </remarks>
public static class IndexTerm
{
    /// <summary>Writes the term of a scalar atom into <paramref name="sink"/> (cleared first).</summary>
    internal static void Encode(TagValue atom, ByteBuffer sink)
    {
        sink.Clear();
        sink.WriteByte((byte)atom.Kind);
        switch (atom.Kind)
        {
            case TagValueKind.Str:
                sink.WriteUtf8(atom.Text!);
                break;
            case TagValueKind.Number:
            case TagValueKind.Timestamp:
                Span<byte> b = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(b, (ulong)atom.Number ^ 0x8000_0000_0000_0000UL);
                sink.Write(b);
                break;
            case TagValueKind.Binary:
                sink.Write(atom.Bytes);
                break;
            default:
                throw new ArgumentException($"a {atom.Kind} value is not a scalar atom", nameof(atom));
        }
    }

    /// <summary>The term of a scalar atom as a new array.</summary>
    public static byte[] Encode(TagValue atom)
    {
        ArgumentNullException.ThrowIfNull(atom);
        using var sink = new ByteBuffer(16);
        Encode(atom, sink);
        return sink.ToArray();
    }

    /// <summary>Byte-wise comparison, the dictionary's order.</summary>
    public static int Compare(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) => x.SequenceCompareTo(y);
}
