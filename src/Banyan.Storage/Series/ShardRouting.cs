using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Banyan.Storage.Values;

namespace Banyan.Storage.Series;

/// <summary>
/// Which shard of a group a series lands on, computed as BanyanDB does: xxHash64 of the subject bytes
/// followed by the raw entity (or sharding-key) values concatenated with no separator, modulo the
/// group's shard count.
/// </summary>
/// <remarks>
/// Raw values differ from the series key: strings and binary are their bytes unescaped, int64 values
/// (and timestamps) are 8-byte big-endian with the sign bit flipped, null contributes nothing.
/// A measure's <c>sharding_key</c>, when set, supplies the values instead of the entity tags.
/// </remarks>
public static class ShardRouting
{
    /// <summary>The hash that is reduced modulo the shard count.</summary>
    public static ulong ComputeRoutingHash(string subject, IReadOnlyList<TagValue> values)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(values);
        var hash = new XxHash64();
        AppendUtf8(ref hash, subject);
        Span<byte> number = stackalloc byte[8];
        for (int i = 0; i < values.Count; i++)
        {
            TagValue v = values[i];
            switch (v.Kind)
            {
                case TagValueKind.Null:
                    break;
                case TagValueKind.Str:
                    AppendUtf8(ref hash, v.Text!);
                    break;
                case TagValueKind.Binary:
                    hash.Append(v.Bytes.AsSpan());
                    break;
                case TagValueKind.Number:
                case TagValueKind.Timestamp:
                    BinaryPrimitives.WriteUInt64BigEndian(number, (ulong)v.Number ^ 0x8000_0000_0000_0000UL);
                    hash.Append(number);
                    break;
                default:
                    throw new ArgumentException($"routing value {i} is a {v.Kind}; entity and sharding-key tags must be scalar", nameof(values));
            }
        }

        return hash.GetCurrentHashAsUInt64();
    }

    // The UTF-8 bytes of text, without allocating for the short strings tags are.
    private static void AppendUtf8(ref XxHash64 hash, string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max > 512)
        {
            hash.Append(Encoding.UTF8.GetBytes(text));
            return;
        }

        Span<byte> utf8 = stackalloc byte[max];
        hash.Append(utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
    }

    /// <summary>The shard number in [0, <paramref name="shardCount"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardCount"/> is zero.</exception>
    public static uint ComputeShard(string subject, IReadOnlyList<TagValue> values, uint shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfZero(shardCount);
        return (uint)(ComputeRoutingHash(subject, values) % shardCount);
    }
}
