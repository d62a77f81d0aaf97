using System.IO.Hashing;

namespace Banyan.Grains.TopN;

/// <summary>
/// TopN entity bytes (<see cref="TopNListReader.Entity"/>) compared by content and hashed with XxHash3 (an entity is a
/// few dozen bytes of tag values), with lookups by span so that a known entity costs no array.
/// </summary>
internal sealed class TopNEntityBytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    /// <summary>The one instance.</summary>
    public static readonly TopNEntityBytesComparer Instance = new();

    private TopNEntityBytesComparer()
    {
    }

    /// <inheritdoc/>
    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    /// <inheritdoc/>
    public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

    /// <inheritdoc/>
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc/>
    public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)XxHash3.HashToUInt64(alternate);

    /// <inheritdoc/>
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
