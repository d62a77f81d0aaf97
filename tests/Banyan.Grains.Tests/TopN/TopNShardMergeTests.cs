using Banyan.GrainInterfaces.Queries;
using Banyan.Grains.TopN;
using Banyan.Storage.Values;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.TopN;

/// <summary>A shard's merge: persisted lists of both formats (walked, not decoded) and lists in memory meet by entity.</summary>
public sealed class TopNShardMergeTests
{
    [Fact]
    public void Persisted_lists_of_both_formats_and_lists_in_memory_merge_by_entity_into_its_best_value()
    {
        // Format 1 as docs/format/topn-result.md shows it: ("svc", 7) 42, (null) -1.
        byte[] version1 = Convert.FromHexString(
            "010102" + "0807060504030201" + "2a00000000000000" + "02" + "0103737663" + "020700000000000000"
                + "0900000000000000" + "ffffffffffffffff" + "01" + "00" + "06ea8661");
        TagValue[] svc7 = [TagValue.FromString("svc"), TagValue.FromInt64(7)];
        TagValue[] svc8 = [TagValue.FromString("svc"), TagValue.FromInt64(8)];
        TagValue[] other = [TagValue.FromString("7"), TagValue.Null]; // the string "7", not the integer 7
        byte[] version2 = TopNResultCodec.Encode([new(1, TopNRank.OfInt(45), svc8), new(2, TopNRank.OfInt(44), other), new(3, TopNRank.OfInt(3), svc7)], false);
        TopNShardMerge.Source[] sources =
        [
            new(new TopNStoredList("g", "top", true, 0, string.Empty, version1, "v1 row", 5), null, 5),
            new(new TopNStoredList("g", "top", true, 10, string.Empty, version2, "v2 row", 6), null, 6),
            new(null, new TopNSnapshot(20, string.Empty, [new(4, TopNRank.OfInt(50), svc7), new(5, TopNRank.OfInt(-2), [TagValue.Null])]), 0),
        ];

        MeasureV1.TopNList answer = TopNShardMerge.Merge(sources, new TopNShardQuery("g", "top", true, null, 0, 100, 10, ["service", "code"]));

        Assert.Equal(
            ["svc/7 50 @20 v0", "svc/8 45 @10 v6", "7/- 44 @10 v6", "-/- -1 @0 v5"],
            answer.Items.Select(i => $"{Show(i, 0)}/{Show(i, 1)} {i.Value.Int.Value} @{i.Timestamp.Nanos} v{i.Version}"));
        Assert.Equal(2, Assert.Single(TopNShardMerge.Merge(sources, new TopNShardQuery("g", "top", true, null, 0, 100, 1, ["service", "code"])).Items).Entity.Count);
    }

    [Theory]
    [InlineData(true, false, 1)]
    [InlineData(false, false, 2)]
    [InlineData(true, true, 3)]
    [InlineData(false, true, 4)]
    public void Merging_by_entity_ids_answers_what_merging_by_entity_bytes_answers(bool descending, bool isFloat, int seed)
    {
        // Lists kept interned in the cache's table, lists interned in an older table (kept before the cache emptied),
        // lists not kept, and lists in memory, with values that tie across entities: the ids' merge must answer item
        // for item what the bytes' merge answers, ties included.
        Random random = new(seed);
        TagValue[][] entities = [.. Enumerable.Range(0, 80).Select(i => i % 9 == 0
            ? new[] { TagValue.Null }
            : new[] { TagValue.FromString("svc-" + (i % 13)), TagValue.FromInt64(i) })];
        TopNListCache cache = new(64 << 20);
        TopNListCache older = new(64 << 20);
        List<TopNShardMerge.Source> sources = [];
        for (int window = 0; window < 40; window++)
        {
            TopNItem[] items = RandomItems(random, entities, isFloat, descending);
            if (random.Next(5) == 0)
            {
                sources.Add(new(null, new TopNSnapshot(window, string.Empty, items), 0));
                continue;
            }

            TopNStoredList list = new("g", "top", descending, window, string.Empty, TopNResultCodec.Encode(items, isFloat), $"row {window}", window + 1);
            switch (random.Next(3))
            {
                case 0:
                    cache.Add("shard", 1, list);
                    Assert.Same(cache.Entities, list.Interned!.Table);
                    break;
                case 1:
                    older.Add("shard", 1, list);
                    break;
            }

            sources.Add(new(list, null, list.Version));
        }

        foreach (int topN in new[] { 1, 10, 100 })
        {
            TopNShardQuery query = new("g", "top", descending, null, 0, 100, topN, ["service", "code"]);
            MeasureV1.TopNList byBytes = TopNShardMerge.Merge(sources, query);
            Assert.Equal(byBytes, TopNShardMerge.Merge(sources, query, cache.Entities));
            Assert.Equal(byBytes, TopNShardMerge.Merge(sources, query, new TopNEntityTable()));
            Assert.Equal(Math.Min(topN, sources.SelectMany(ItemsOf).DistinctBy(EntityText).Count()), byBytes.Items.Count);
        }
    }

    // Items best first, as a processor stores them; values from a small range so that entities tie.
    private static TopNItem[] RandomItems(Random random, TagValue[][] entities, bool isFloat, bool descending)
    {
        IEnumerable<TopNItem> items = entities.OrderBy(_ => random.Next()).Take(random.Next(0, 30)).Select((entity, i) =>
            new TopNItem((ulong)i + 1, isFloat ? TopNRank.OfFloat(random.Next(20) / 4.0) : TopNRank.OfInt(random.Next(20)), entity));
        return [.. descending ? items.OrderByDescending(i => i.Value) : items.OrderBy(i => i.Value)];
    }

    private static IEnumerable<TagValue[]> ItemsOf(TopNShardMerge.Source source) => source.Memory is { } memory
        ? memory.Items.Select(i => i.Entity)
        : TopNResultCodec.Decode(source.Stored!.Bytes, "test", "m").Items.Select(i => i.Entity);

    private static string EntityText(TagValue[] entity)
    {
        using Banyan.Storage.Bytes.ByteBuffer bytes = new(64);
        TopNResultCodec.WriteEntity(bytes, entity);
        return Convert.ToHexString(bytes.WrittenSpan);
    }

    private static string Show(MeasureV1.TopNList.Types.Item item, int tag) => item.Entity.Count <= tag ? "-" : item.Entity[tag].Value.ValueCase switch
    {
        Banyan.Api.Model.V1.TagValue.ValueOneofCase.Str => item.Entity[tag].Value.Str.Value,
        Banyan.Api.Model.V1.TagValue.ValueOneofCase.Int => item.Entity[tag].Value.Int.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "-",
    };
}
