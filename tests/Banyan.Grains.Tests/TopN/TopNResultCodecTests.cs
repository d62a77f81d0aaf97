using Banyan.Grains.TopN;
using Banyan.Storage;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.TopN;

/// <summary>The persisted list encoding: round trips, and damage is always the typed corruption error.</summary>
public sealed class TopNResultCodecTests
{
    [Fact]
    public void The_bytes_are_pinned_as_docs_format_topn_result_describes_them()
    {
        // docs/format/topn-result.md: version 1, INT, two items (best first), then the CRC-32 of everything before it.
        TopNItem[] items =
        [
            new(0x0102030405060708, TopNRank.OfInt(42), [TagValue.FromString("svc"), TagValue.FromInt64(7)]),
            new(9, TopNRank.OfInt(-1), [TagValue.Null]),
        ];
        Assert.Equal(
            "010102" + "0807060504030201" + "2a00000000000000" + "02" + "0103737663" + "020700000000000000"
                + "0900000000000000" + "ffffffffffffffff" + "01" + "00" + "06ea8661",
            Convert.ToHexStringLower(TopNResultCodec.Encode(items, isFloat: false)));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void Random_lists_round_trip(bool isFloat, int seed)
    {
        Random random = new(seed);
        for (int round = 0; round < 50; round++)
        {
            TopNItem[] items = [.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => RandomItem(random, isFloat))];
            (TopNItem[] decoded, bool decodedFloat) = TopNResultCodec.Decode(TopNResultCodec.Encode(items, isFloat), "test");
            Assert.Equal(isFloat, decodedFloat);
            Assert.Equal(items.Length, decoded.Length);
            for (int i = 0; i < items.Length; i++)
            {
                Assert.Equal(items[i].SeriesId, decoded[i].SeriesId);
                Assert.Equal(items[i].Value, decoded[i].Value);
                Assert.Equal(items[i].Entity, decoded[i].Entity);
            }
        }
    }

    [Fact]
    public void Every_flipped_byte_and_every_truncation_is_a_corruption_error_naming_the_row()
    {
        Random random = new(7);
        byte[] bytes = TopNResultCodec.Encode([.. Enumerable.Range(0, 5).Select(_ => RandomItem(random, false))], false);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x5A;
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => TopNResultCodec.Decode(damaged, "row-x"));
            Assert.Contains("row-x", e.Message, StringComparison.Ordinal);
        }

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<StorageCorruptionException>(() => TopNResultCodec.Decode(bytes.AsSpan(0, length), "row-y"));
        }
    }

    private static TopNItem RandomItem(Random random, bool isFloat)
    {
        TagValue[] entity = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(7) switch
        {
            0 => TagValue.Null,
            1 => TagValue.FromString(random.Next(3) == 0 ? string.Empty : "svc-ü-" + random.Next(100)),
            2 => TagValue.FromInt64(random.NextInt64(long.MinValue, long.MaxValue)),
            3 => TagValue.FromBinary([(byte)random.Next(256), 0, (byte)random.Next(256)]),
            4 => TagValue.FromStringArray(["a", "b|c"]),
            5 => TagValue.FromInt64Array([1, -2, long.MaxValue]),
            _ => TagValue.FromTimestampNanos(random.NextInt64()),
        })];
        TopNRank value = isFloat ? TopNRank.OfFloat((random.NextDouble() - 0.5) * 1e6) : TopNRank.OfInt(random.NextInt64(long.MinValue, long.MaxValue));
        return new TopNItem((ulong)random.NextInt64(), value, entity);
    }
}
