using Banyan.Api.Database.V1;
using Banyan.Grains.Schema;
using Banyan.Grains.TopN;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf;
using EngineTagValue = Banyan.Storage.Values.TagValue;

namespace Banyan.Grains.Tests.TopN;

/// <summary>TopN definitions over the sample measure (<c>cpm</c>: entity <c>entity_id</c>, tag <c>service</c>, INT <c>total</c>, interval 1m).</summary>
internal static class TopNFixtures
{
    public const long Minute = 60_000_000_000L;

    public static TopNDefinition Definition(int counters = 1000, int lru = 10, Banyan.Api.Model.V1.Sort sort = Banyan.Api.Model.V1.Sort.Desc, string groupBy = "service")
    {
        SchemaSamples s = new("unit");
        TopNAggregation aggregation = s.TopN();
        aggregation.GroupByTagNames.Clear();
        aggregation.GroupByTagNames.Add(groupBy);
        aggregation.CountersNumber = counters;
        aggregation.LruSize = lru;
        aggregation.FieldValueSort = sort;
        SchemaCatalog catalog = SchemaCatalog.Create(1, new IMessage[] { s.MeasureGroup(), s.Measure(), aggregation });
        Assert.True(TopNDefinition.TryCreate(aggregation, catalog, DateTimeOffset.UtcNow, out TopNDefinition? definition, out string reason), reason);
        return definition!;
    }

    public static TopNItem Item(ulong series, long value) => new(series, TopNRank.OfInt(value), [EngineTagValue.FromString("e" + series)]);

    public static TopNPoint Point(long timestamp, string group, ulong series, long value)
    {
        TopNItem item = Item(series, value);
        return new(timestamp, group, item.SeriesId, item.Value, item.Entity);
    }
}
