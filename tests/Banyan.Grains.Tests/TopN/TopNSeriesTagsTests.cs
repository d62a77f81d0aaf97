using Banyan.Grains.TopN;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.TopN;

public class TopNSeriesTagsTests
{
    [Fact]
    public void AnAggregationGroupedByATagOutsideTheEntityGetsNoCache()
    {
        // The sample aggregation groups by "service", which is not part of the entity (entity_id): a series does not
        // fix its group, so every point must be read in full.
        Assert.Null(TopNSeriesTags.For(TopNFixtures.Definition(groupBy: "service")));
        Assert.NotNull(TopNSeriesTags.For(TopNFixtures.Definition(groupBy: "entity_id")));
    }

    [Fact]
    public void PointsReadThroughTheCacheEqualPointsReadInFull()
    {
        TopNDefinition definition = TopNFixtures.Definition(groupBy: "entity_id");
        TopNSeriesTags cache = TopNSeriesTags.For(definition)!;
        WriteBatch first = Batch((1, "a", 10), (2, "b", 20));
        WriteBatch second = Batch((2, "b", 25), (1, "a", 5), (3, "c", 7));

        List<TopNPoint> cachedFirst = TopNPointReader.Read(definition, first, cache);
        List<TopNPoint> cachedSecond = TopNPointReader.Read(definition, second, cache);

        AssertSame(TopNPointReader.Read(definition, first), cachedFirst);
        AssertSame(TopNPointReader.Read(definition, second), cachedSecond);

        // Points read through the cache carry their entity as a list stores it, encoded once per series.
        Assert.All(cachedSecond, p => Assert.Equal(TopNResultCodec.EntityBytes(p.Entity), p.EntityBytes));
        Assert.Same(cachedFirst[1].EntityBytes, cachedSecond[0].EntityBytes);
        Assert.True(cache.TryGet(3, out _, out TagValue[] entity, out byte[] entityBytes));
        Assert.Equal(TopNResultCodec.EntityBytes(entity), entityBytes);
        Assert.Equal(3, cache.Count);
        Assert.Equal(["b", "a", "c"], cachedSecond.Select(p => p.GroupKey));
        Assert.Equal([25L, 5L, 7L], cachedSecond.Select(p => p.Value.Int));
    }

    [Fact]
    public void EachSeriesHasAPlaceAmongThoseOfItsGroupByValueUntilTheCacheStartsOver()
    {
        // Places are dense from 0 per group-by value in the order series are first seen, kept when a series is added
        // again, and counted in a new space once the cache starts over (lists holding places of the old one turn to ids).
        TopNSeriesTags cache = TopNSeriesTags.For(TopNFixtures.Definition(groupBy: "entity_id"))!;
        cache.Add(10, "a", [], out TopNSeriesOrdinal a0);
        cache.Add(11, "b", [], out TopNSeriesOrdinal b0);
        cache.Add(12, "a", [], out TopNSeriesOrdinal a1);
        cache.Add(10, "a", [], out TopNSeriesOrdinal again);
        Assert.Equal([0, 0, 1, 0], new[] { a0, b0, a1, again }.Select(o => o.Value));
        Assert.True(a0.IsKnown);
        Assert.Same(a0.Space, b0.Space);
        Assert.True(cache.TryGet(12, out _, out _, out _, out TopNSeriesOrdinal known));
        Assert.Equal(a1, known);
        Assert.False(cache.TryGet(13, out _, out _, out _, out TopNSeriesOrdinal unknown));
        Assert.False(unknown.IsKnown);

        for (ulong series = 100; cache.Count < TopNSeriesTags.MaxSeries; series++)
        {
            cache.Add(series, "a", []);
        }

        TopNEntityOrder before = cache.Order;
        cache.Add(ulong.MaxValue, "a", [], out TopNSeriesOrdinal afresh);
        Assert.Equal(0, afresh.Value);
        Assert.NotSame(a0.Space, afresh.Space);
        Assert.NotSame(before, cache.Order);
        Assert.Equal(1, cache.Order.Count);
    }

    [Fact]
    public void AFullCacheStartsOver()
    {
        TopNSeriesTags cache = TopNSeriesTags.For(TopNFixtures.Definition(groupBy: "entity_id"))!;
        for (ulong series = 0; series < TopNSeriesTags.MaxSeries; series++)
        {
            cache.Add(series, "k", []);
        }

        Assert.Equal(TopNSeriesTags.MaxSeries, cache.Count);
        cache.Add(ulong.MaxValue, "last", [TagValue.FromString("x")]);

        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet(ulong.MaxValue, out string key, out TagValue[] entity, out _));
        Assert.Equal("last", key);
        Assert.Equal("x", Assert.Single(entity).Text);
        Assert.False(cache.TryGet(0, out _, out _, out _));
    }

    private static void AssertSame(List<TopNPoint> expected, List<TopNPoint> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(expected[i].GroupKey, actual[i].GroupKey);
            Assert.Equal(expected[i].SeriesId, actual[i].SeriesId);
            Assert.Equal(expected[i].Value, actual[i].Value);
            Assert.Equal(expected[i].Entity.Select(v => v.Text), actual[i].Entity.Select(v => v.Text));
        }
    }

    // Rows of the sample measure cpm (tags id, entity_id, service; fields total, value): one per (series, entity, total).
    private static WriteBatch Batch(params (ulong Series, string Entity, long Total)[] rows)
    {
        WriteBatch batch = new(DataKind.Measure, "cpm");
        batch.AddColumn("default", "id", ColumnValueType.String);
        batch.AddColumn("default", "entity_id", ColumnValueType.String);
        batch.AddColumn("default", "service", ColumnValueType.String);
        batch.AddColumn(null, "total", ColumnValueType.Int64);
        batch.AddColumn(null, "value", ColumnValueType.Float64);
        long timestamp = TopNFixtures.Minute;
        foreach ((ulong series, string entity, long total) in rows)
        {
            batch.AddRow(series, timestamp, 1,
            [
                ColumnValue.FromString("id-" + entity),
                ColumnValue.FromString(entity),
                ColumnValue.FromString("svc"),
                ColumnValue.FromInt64(total),
                ColumnValue.FromFloat64(total),
            ]);
            timestamp += TopNFixtures.Minute;
        }

        return batch;
    }
}
