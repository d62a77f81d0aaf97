using Banyan.Api.Model.V1;
using Banyan.Grains.TopN;

namespace Banyan.Grains.Tests.TopN;

/// <summary>The query-time merge (one item per entity, its best value) and the aggregation functions.</summary>
public sealed class TopNMergeTests
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void The_merge_keeps_each_entitys_best_value_and_the_best_entities(bool descending, int seed)
    {
        Random random = new(seed);
        TopNDistinct<int> distinct = new(descending);
        Dictionary<string, long> best = [];
        for (int i = 0; i < 1_000; i++)
        {
            string entity = "e" + random.Next(40);
            long value = random.Next(10_000);
            distinct.Put(entity, TopNRank.OfInt(value), i);
            best[entity] = best.TryGetValue(entity, out long known) ? (descending ? Math.Max(known, value) : Math.Min(known, value)) : value;
        }

        IEnumerable<long> model = (descending ? best.Values.OrderDescending() : best.Values.Order()).Take(7);
        Assert.Equal(model, distinct.Top(7).Select(t => t.Value.Int));
        Assert.Equal(40, distinct.Count);
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 4)]
    public void Entity_bytes_merge_as_their_latin1_keys_do(bool descending, int seed)
    {
        // The shard merge's keys are list bytes (any byte value, including those Latin-1 maps to control characters);
        // with equal values the entity seen first stays first, so the two merges must agree item for item.
        Random random = new(seed);
        byte[][] entities = [.. Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, random.Next(0, 12)).Select(_ => (byte)random.Next(256)).ToArray()).DistinctBy(Convert.ToHexString)];
        TopNDistinct<int> byBytes = new(descending);
        TopNDistinct<int> byText = new(descending);
        for (int i = 0; i < 2_000; i++)
        {
            byte[] entity = entities[random.Next(entities.Length)];
            TopNRank value = TopNRank.OfInt(random.Next(50));
            byBytes.Put(entity.AsSpan(), value, i);
            byText.Put(System.Text.Encoding.Latin1.GetString(entity), value, i);
        }

        Assert.Equal(byText.Count, byBytes.Count);
        Assert.Equal(byText.TopWithKeys(25), byBytes.TopWithKeys(25));
        Assert.Throws<InvalidOperationException>(() => byBytes.Put("text", TopNRank.OfInt(1), 0));
        Assert.Throws<InvalidOperationException>(() => byText.Put([1, 2], TopNRank.OfInt(1), 0));
    }

    [Theory]
    [InlineData(true, 5)]
    [InlineData(false, 6)]
    public void Entity_ids_merge_as_the_entity_bytes_they_stand_for_do(bool descending, int seed)
    {
        Random random = new(seed);
        byte[][] entities = [.. Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, random.Next(0, 12)).Select(_ => (byte)random.Next(256)).ToArray()).DistinctBy(Convert.ToHexString)];
        TopNEntityTable table = new();
        TopNDistinct<int> byBytes = new(descending);
        TopNDistinct<int> byIds = new(descending);
        for (int i = 0; i < 2_000; i++)
        {
            byte[] entity = entities[random.Next(entities.Length)];
            TopNRank value = TopNRank.OfInt(random.Next(50));
            byBytes.Put(entity.AsSpan(), value, i);
            byIds.Put(table.Intern(entity), value, i);
        }

        Assert.Equal(byBytes.Count, byIds.Count);
        Assert.Equal(
            byBytes.TopWithKeys(25).Select(e => (System.Text.Encoding.Latin1.GetBytes(e.Key), e.Value, e.Payload)),
            byIds.TopWithIds(25).Select(e => (table.EntityOf(e.EntityId), e.Value, e.Payload)));
        Assert.Throws<InvalidOperationException>(() => byIds.Put([1, 2], TopNRank.OfInt(1), 0));
        Assert.Throws<InvalidOperationException>(() => byIds.Put("text", TopNRank.OfInt(1), 0));
        Assert.Throws<InvalidOperationException>(() => byBytes.Put(table.Count + 1, TopNRank.OfInt(1), 0));
    }

    // A silo's entity table can hold millions of ids while one query meets a few: ids far apart merge as dense ones do,
    // without an array as long as the largest id (int.MaxValue - 1 would need 8 GiB).
    [Theory]
    [InlineData(true, 7)]
    [InlineData(false, 8)]
    public void Sparse_entity_ids_merge_as_dense_ones_do(bool descending, int seed)
    {
        Random random = new(seed);
        // Small ids, ids the slot array comes to reach as more entities are met (some met before it does), and huge ones.
        int[] sparse = [.. Enumerable.Range(0, 1_200).Select(i => i < 100 ? i : i < 900 ? random.Next(4_096, 12_000) : random.Next(12_000, int.MaxValue))
            .Append(int.MaxValue - 1).Distinct()];
        TopNDistinct<int> bySparse = new(descending);
        TopNDistinct<int> byDense = new(descending);
        for (int i = 0; i < 30_000; i++)
        {
            int entity = random.Next(sparse.Length);
            TopNRank value = TopNRank.OfInt(random.Next(1_000));
            bySparse.Put(sparse[entity], value, i);
            byDense.Put(entity, value, i);
        }

        Assert.Equal(byDense.Count, bySparse.Count);
        Assert.Equal(
            byDense.TopWithIds(50).Select(e => (sparse[e.EntityId], e.Value, e.Payload)),
            bySparse.TopWithIds(50).Select(e => (e.EntityId, e.Value, e.Payload)));
    }

    [Fact]
    public void Equal_values_keep_the_item_seen_first()
    {
        TopNDistinct<string> distinct = new(descending: true);
        distinct.Put("a", TopNRank.OfInt(5), "first");
        distinct.Put("a", TopNRank.OfInt(5), "second");
        distinct.Put("b", TopNRank.OfInt(5), "b");
        Assert.Equal(["first", "b"], distinct.Top(2).Select(t => t.Payload));
    }

    [Fact]
    public void Aggregation_functions_follow_BanyanDB_arithmetic_and_types()
    {
        TopNRank[] ints = [TopNRank.OfInt(3), TopNRank.OfInt(4)];
        Assert.Equal(TopNRank.OfInt(3), TopNAggregate.Apply(AggregationFunction.Mean, ints)); // integer division
        Assert.Equal(TopNRank.OfInt(7), TopNAggregate.Apply(AggregationFunction.Sum, ints));
        Assert.Equal(TopNRank.OfInt(2), TopNAggregate.Apply(AggregationFunction.Count, ints));
        Assert.Equal(TopNRank.OfInt(4), TopNAggregate.Apply(AggregationFunction.Max, ints));
        Assert.Equal(TopNRank.OfInt(3), TopNAggregate.Apply(AggregationFunction.Min, ints));
        TopNRank[] floats = [TopNRank.OfFloat(1.5), TopNRank.OfFloat(2)];
        Assert.Equal(TopNRank.OfFloat(1.75), TopNAggregate.Apply(AggregationFunction.Mean, floats));
        Assert.Equal(TopNRank.OfFloat(2), TopNAggregate.Apply(AggregationFunction.Count, floats)); // COUNT of a FLOAT field is a float
        Assert.Throws<Banyan.GrainInterfaces.Schema.SchemaValidationException>(() => TopNAggregate.Validate((AggregationFunction)42));
    }
}
