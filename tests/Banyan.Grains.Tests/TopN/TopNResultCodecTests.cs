using Banyan.Grains.TopN;
using Banyan.Storage;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.TopN;

/// <summary>The persisted list encoding: round trips, format 1 still read, and damage is always the typed corruption error.</summary>
public sealed class TopNResultCodecTests
{
    private static readonly TopNItem[] s_example =
    [
        new(0x0102030405060708, TopNRank.OfInt(42), [TagValue.FromString("svc"), TagValue.FromInt64(7)]),
        new(9, TopNRank.OfInt(-1), [TagValue.Null]),
    ];

    [Fact]
    public void The_bytes_are_pinned_as_docs_format_topn_result_describes_them()
    {
        // docs/format/topn-result.md, format 2: version, INT, three items (best first); the values as zigzag differences
        // (+42, -2, -41); each item's index among the sorted entities (("svc", 7) is 1, ("svc", 8) is 2, (null) is 0);
        // the entities in byte order, front-coded (shared with the one before, length of the rest, the rest); the CRC-32
        // of everything before it. No series ids.
        TopNItem[] items =
        [
            new(1, TopNRank.OfInt(42), [TagValue.FromString("svc"), TagValue.FromInt64(7)]),
            new(2, TopNRank.OfInt(40), [TagValue.FromString("svc"), TagValue.FromInt64(8)]),
            new(3, TopNRank.OfInt(-1), [TagValue.Null]),
        ];
        Assert.Equal(
            "020103" + "540351" + "010200"
                + "00" + "02" + "0100"
                + "00" + "0f" + "020103737663020700000000000000"
                + "07" + "08" + "0800000000000000"
                + "be2c131b",
            Convert.ToHexStringLower(TopNResultCodec.Encode(items, isFloat: false)));
    }

    [Fact]
    public void A_float_list_keeps_each_value_as_its_eight_bytes()
    {
        TopNItem[] items = [new(1, TopNRank.OfFloat(2.5), [TagValue.FromString("svc")])];
        Assert.Equal("020201" + "0000000000000440" + "00" + "00" + "06" + "010103737663" + "6971ae0c", Convert.ToHexStringLower(TopNResultCodec.Encode(items, isFloat: true)));
    }

    [Fact]
    public void Format_1_as_docs_format_topn_result_describes_it_is_still_read_with_its_stored_series_ids()
    {
        // The bytes format 1 wrote for the same two items (pinned by this test before format 2): per item the series id,
        // the value and the entity.
        byte[] version1 = Convert.FromHexString(
            "010102" + "0807060504030201" + "2a00000000000000" + "02" + "0103737663" + "020700000000000000"
                + "0900000000000000" + "ffffffffffffffff" + "01" + "00" + "06ea8661");
        (TopNItem[] items, bool isFloat) = TopNResultCodec.Decode(version1, "v1", sourceSubject: "ignored");
        Assert.False(isFloat);
        Assert.Equal([0x0102030405060708UL, 9UL], items.Select(i => i.SeriesId));
        Assert.Equal([TopNRank.OfInt(42), TopNRank.OfInt(-1)], items.Select(i => i.Value));
        Assert.Equal(s_example.Select(i => i.Entity), items.Select(i => i.Entity));

        // Read again in format 2, the same list, its ids now derived from the source measure's name.
        (TopNItem[] again, _) = TopNResultCodec.Decode(TopNResultCodec.Encode(items, isFloat), "v2", "cpm");
        Assert.Equal(items.Select(i => SeriesKey.ComputeSeriesId("cpm", i.Entity)), again.Select(i => i.SeriesId));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void Random_lists_round_trip(bool isFloat, int seed)
    {
        Random random = new(seed);
        for (int round = 0; round < 50; round++)
        {
            TopNItem[] items = [.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => RandomItem(random, isFloat, scalar: false))];
            if (round % 2 == 0)
            {
                // Most lists are ranked (small differences of one sign); the others any order, extremes included.
                items = [.. items.OrderByDescending(i => i.Value)];
            }

            (TopNItem[] decoded, bool decodedFloat) = TopNResultCodec.Decode(TopNResultCodec.Encode(items, isFloat), "test", "m");
            Assert.Equal(isFloat, decodedFloat);
            Assert.Equal(items.Length, decoded.Length);
            for (int i = 0; i < items.Length; i++)
            {
                Assert.Equal(items[i].Value, decoded[i].Value);
                Assert.Equal(items[i].Entity, decoded[i].Entity);
            }
        }
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, 4)]
    public void Items_carrying_their_entity_bytes_encode_to_the_bytes_of_items_without(bool isFloat, int seed)
    {
        // The write path hands a flush each series' entity already encoded (TopNSeriesTags): the list must be the same
        // bytes as one encoded from the values, whichever items carry them.
        Random random = new(seed);
        for (int round = 0; round < 50; round++)
        {
            TopNItem[] items = [.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => RandomItem(random, isFloat, scalar: false))];
            TopNItem[] carrying = [.. items.Select(i => random.Next(4) == 0 ? i : new TopNItem(i.SeriesId, i.Value, i.Entity) { EntityBytes = TopNResultCodec.EntityBytes(i.Entity) })];
            Assert.Equal(TopNResultCodec.Encode(items, isFloat), TopNResultCodec.Encode(carrying, isFloat));
        }
    }

    [Fact]
    public void A_decoded_item_derives_the_series_id_the_write_path_computes()
    {
        Random random = new(5);
        TopNItem[] items = [.. Enumerable.Range(0, 30).Select(_ => RandomItem(random, false, scalar: true))];
        byte[] bytes = TopNResultCodec.Encode(items, false);

        (TopNItem[] derived, _) = TopNResultCodec.Decode(bytes, "test", "service_resp_time");
        Assert.Equal(items.Select(i => SeriesKey.ComputeSeriesId("service_resp_time", i.Entity)), derived.Select(i => i.SeriesId));
    }

    [Fact]
    public void Ranked_int_values_take_a_byte_or_two_each()
    {
        // 1,000 ranked latencies: the values are the differences (the first, 100,000, in 3 bytes; each -37 in one), not
        // 8 bytes each. Version, type, count (2), values, the indices (2 bytes from 128 on), 1,000 empty entities (the first
        // in 3 bytes, the others 2: one byte shared with the one before, none more), checksum.
        TopNItem[] items = [.. Enumerable.Range(0, 1000).Select(i => new TopNItem((ulong)i, TopNRank.OfInt(100_000 - (i * 37)), []))];
        Assert.Equal(1 + 1 + 2 + (3 + 999) + (128 + (872 * 2)) + (3 + (999 * 2)) + 4, TopNResultCodec.Encode(items, false).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_flipped_byte_and_every_truncation_is_a_corruption_error_naming_the_row_and_an_offset(bool isFloat)
    {
        Random random = new(7);
        byte[] bytes = TopNResultCodec.Encode([.. Enumerable.Range(0, 5).Select(_ => RandomItem(random, isFloat, scalar: false))], isFloat);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x5A;
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => TopNResultCodec.Decode(damaged, "row-x", "cpm"));
            Assert.Equal("row-x", e.FilePath);
            Assert.InRange(e.Offset, 0, bytes.Length);
        }

        for (int length = 0; length < bytes.Length; length++)
        {
            StorageCorruptionException e = Assert.Throws<StorageCorruptionException>(() => TopNResultCodec.Decode(bytes.AsSpan(0, length), "row-y", "cpm"));
            Assert.Equal("row-y", e.FilePath);
        }
    }

    [Fact]
    public void Damage_behind_a_valid_checksum_is_reported_at_its_offset()
    {
        // Bytes a buggy writer could have checksummed: each is caught by the decoder's own checks, at the byte that is wrong.
        Assert.Equal(0, CorruptionOffset("07" + "01" + "00"));                                  // unknown version
        Assert.Equal(1, CorruptionOffset("02" + "03" + "00"));                                  // unknown value type
        Assert.Equal(2, CorruptionOffset("02" + "01" + "05" + "00"));                           // five items in one byte
        Assert.Equal(6, CorruptionOffset("02" + "01" + "02" + "0000" + "0000" + "00000000"));   // entity index 0 twice
        Assert.Equal(4, CorruptionOffset("02" + "01" + "01" + "00" + "05" + "00020100"));       // entity index 5 of 1
        Assert.Equal(5, CorruptionOffset("02" + "01" + "01" + "00" + "00" + "03020100"));       // shares 3 bytes with nothing
        Assert.Equal(6, CorruptionOffset("02" + "01" + "01" + "00" + "00" + "0082"));           // a varint cut short
        Assert.Equal(8, CorruptionOffset("02" + "01" + "01" + "00" + "00" + "00020109"));       // entity value kind 9
        Assert.Equal(5, CorruptionOffset("02" + "01" + "01" + "00" + "00" + "0003010000"));     // a byte after the entity
        Assert.Equal(9, CorruptionOffset("02" + "01" + "01" + "00" + "00" + "00020100" + "00")); // a byte after the list
    }

    [Fact]
    public void Entities_put_in_order_by_their_ranks_give_the_bytes_their_comparison_gives()
    {
        // The write path ranks the entities it knows once (TopNEntityOrder) and a flush sorts a list's entities by rank:
        // entities added between flushes are merged into the ranks, and a list holding an entity the ranks lack (read
        // back from disk, or kept from before the series tags started over) falls back to comparing bytes. Entities that
        // share long prefixes, as the peer load's do.
        var random = new Random(11);
        var order = new TopNEntityOrder();
        List<TopNItem> known = [];
        for (int round = 0; round < 6; round++)
        {
            for (int n = 0; n < 40; n++)
            {
                string service = "c2VydmljZS0" + random.Next(5);
                TagValue[] entity = random.Next(8) == 0
                    ? [TagValue.FromString(service)]
                    : [TagValue.FromString(service), TagValue.FromString(service + "_" + random.Next(1000)), TagValue.FromInt64(random.Next(3))];
                var item = new TopNItem((ulong)random.NextInt64(), TopNRank.OfInt(random.Next(-50, 50)), entity) { EntityBytes = TopNResultCodec.EntityBytes(entity) };
                order.Add(item.EntityBytes!);
                known.Add(item);
            }

            // An entity of equal bytes in an array of its own: ranked as the other, so the two keep their list order.
            TopNItem twin = known[random.Next(known.Count)];
            TopNItem copy = new((ulong)random.NextInt64(), TopNRank.OfInt(random.Next(-50, 50)), twin.Entity) { EntityBytes = [.. twin.EntityBytes!] };
            order.Add(copy.EntityBytes!);
            known.Add(copy);

            TopNItem[] list = [.. known.OrderBy(_ => random.Next()).Take(random.Next(2, 60)).Append(twin).Append(copy).Distinct().OrderByDescending(i => i.Value)];
            Assert.Equal(Convert.ToHexString(TopNResultCodec.Encode(list, isFloat: false)), Convert.ToHexString(TopNResultCodec.Encode(list, isFloat: false, order)));

            long[] keys = new long[list.Length];
            Assert.True(order.TryKeys(list, keys));
            TopNItem unknown = new(1, TopNRank.OfInt(-99), [TagValue.FromString("c2VydmljZS0a")]) { EntityBytes = TopNResultCodec.EntityBytes([TagValue.FromString("c2VydmljZS0a")]) };
            TopNItem[] withUnknown = [.. list, unknown];
            Assert.False(order.TryKeys(withUnknown, new long[withUnknown.Length]));
            Assert.Equal(Convert.ToHexString(TopNResultCodec.Encode(withUnknown, isFloat: false)), Convert.ToHexString(TopNResultCodec.Encode(withUnknown, isFloat: false, order)));
        }

        Assert.Equal(246, order.Count);
    }

    private static long CorruptionOffset(string bodyHex)
    {
        byte[] body = Convert.FromHexString(bodyHex);
        byte[] bytes = [.. body, .. BitConverter.GetBytes(System.IO.Hashing.Crc32.HashToUInt32(body))];
        return Assert.Throws<StorageCorruptionException>(() => TopNResultCodec.Decode(bytes, "row-z", "cpm")).Offset;
    }

    private static TopNItem RandomItem(Random random, bool isFloat, bool scalar)
    {
        TagValue[] entity = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(scalar ? 4 : 7) switch
        {
            0 => TagValue.FromString(random.Next(3) == 0 ? string.Empty : "svc-ü-" + random.Next(100)),
            1 => TagValue.FromInt64(random.NextInt64(long.MinValue, long.MaxValue)),
            2 => TagValue.FromBinary([(byte)random.Next(256), 0, (byte)random.Next(256)]),
            3 => TagValue.FromTimestampNanos(random.NextInt64()),
            4 => TagValue.Null,
            5 => TagValue.FromStringArray(["a", "b|c"]),
            _ => TagValue.FromInt64Array([1, -2, long.MaxValue]),
        })];
        TopNRank value = isFloat ? TopNRank.OfFloat((random.NextDouble() - 0.5) * 1e6) : TopNRank.OfInt(random.Next(4) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : random.Next(-1000, 1000));
        return new TopNItem((ulong)random.NextInt64(), value, entity);
    }
}
