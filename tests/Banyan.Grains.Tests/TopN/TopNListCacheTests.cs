using Banyan.Grains.TopN;
using Banyan.Storage;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.TopN;

/// <summary>The silo's cache of stored TopN lists: lists kept with their entities as ids, bounded with the ids' table.</summary>
public sealed class TopNListCacheTests
{
    [Fact]
    public void A_kept_list_carries_its_items_as_ids_of_the_caches_table()
    {
        TopNListCache cache = new(1 << 20);
        TagValue[] a = [TagValue.FromString("a")];
        TagValue[] b = [TagValue.FromString("b")];
        TopNStoredList first = List(0, [new(1, TopNRank.OfInt(9), a), new(2, TopNRank.OfInt(4), b)]);
        TopNStoredList second = List(10, [new(2, TopNRank.OfInt(7), b), new(1, TopNRank.OfInt(-3), a)]);

        cache.Add("shard", 5, first);
        cache.Add("shard", 5, second);

        Assert.True(cache.TryGet("shard", 5, 10, 11, out TopNStoredList kept));
        Assert.Same(second, kept);
        TopNInternedList interned = kept.Interned!;
        Assert.Same(cache.Entities, interned.Table);
        Assert.Equal(first.Interned!.EntityIds.Reverse(), interned.EntityIds); // the same two entities, the other way round
        Assert.Equal([TopNRank.OfInt(7), TopNRank.OfInt(-3)], [interned.ValueAt(0), interned.ValueAt(1)]);
        Assert.Equal(2, cache.Entities.Count);
        Assert.Equal(TopNResultCodec.Encode([new(1, TopNRank.OfInt(0), b)], false)[2..^4], Encode(cache.Entities.EntityOf(interned.EntityIds[0]))[2..^4]);
    }

    [Fact]
    public void Float_values_come_back_bit_for_bit()
    {
        TopNListCache cache = new(1 << 20);
        double[] values = [double.PositiveInfinity, 2.5, -0.0, double.NegativeInfinity];
        TopNStoredList list = new("g", "top", true, 0, string.Empty, TopNResultCodec.Encode([.. values.Select((v, i) => new TopNItem((ulong)i + 1, TopNRank.OfFloat(v), [TagValue.FromInt64(i)]))], true), "row", 1);

        cache.Add("shard", 1, list);

        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), Enumerable.Range(0, 4).Select(i => BitConverter.DoubleToInt64Bits(list.Interned!.ValueAt(i).Float)));
    }

    [Fact]
    public void Emptying_the_cache_starts_a_new_table()
    {
        TopNStoredList first = List(0, [.. Enumerable.Range(0, 50).Select(i => new TopNItem((ulong)i + 1, TopNRank.OfInt(100 - i), [TagValue.FromString("entity-" + i)]))]);
        long size = first.Bytes.Length + (50 * (sizeof(int) + sizeof(long)));
        TopNListCache cache = new(size + 1_000); // room for one list and its entities, not two
        cache.Add("shard", 1, first);
        TopNEntityTable table = cache.Entities;

        TopNStoredList second = List(10, [.. Enumerable.Range(50, 50).Select(i => new TopNItem((ulong)i + 1, TopNRank.OfInt(100 - i), [TagValue.FromString("entity-" + i)]))]);
        cache.Add("shard", 1, second);

        Assert.NotSame(table, cache.Entities);
        Assert.Same(cache.Entities, second.Interned!.Table);
        Assert.Equal(50, cache.Entities.Count);
        Assert.False(cache.TryGet("shard", 1, 0, 1, out _));
        Assert.True(cache.TryGet("shard", 1, 10, 11, out _));
    }

    [Fact]
    public void A_damaged_list_is_refused_with_its_row_named_and_not_kept()
    {
        TopNListCache cache = new(1 << 20);
        TopNStoredList list = List(0, [new(1, TopNRank.OfInt(1), [TagValue.FromString("a")])]);
        list.Bytes[3] ^= 0x40;

        StorageCorruptionException error = Assert.Throws<StorageCorruptionException>(() => cache.Add("shard", 1, list));
        Assert.Contains("row 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.Count);
        Assert.Null(list.Interned);
    }

    private static TopNStoredList List(long window, TopNItem[] items) => new("g", "top", true, window, string.Empty, TopNResultCodec.Encode(items, false), $"row {window}", window + 1);

    // A one-item list of the entity with these bytes, to compare an entity's bytes with the codec's.
    private static byte[] Encode(byte[] entity)
    {
        TagValue[] values = TopNResultCodec.ReadEntity(entity, "test", 0);
        return TopNResultCodec.Encode([new(1, TopNRank.OfInt(0), values)], false);
    }
}
