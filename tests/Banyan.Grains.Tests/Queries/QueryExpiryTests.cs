using Banyan.Api.Common.V1;
using Banyan.Grains.Tests.Infrastructure;
using static Banyan.Grains.Tests.Queries.QuerySchemas;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Grains.Tests.Queries;

/// <summary>Expired segments are never visible to queries: on the fake data clock, once the TTL passes a query answers nothing.</summary>
[Collection(FakeClockClusterDefinition.Name)]
public sealed class QueryExpiryTests(FakeClockClusterFixture fixture)
{
    [Fact]
    public async Task Data_past_the_TTL_is_not_answered_though_its_segment_is_still_on_disk()
    {
        const string streams = "qx-stream";
        const string measures = "qx-measure";
        await Schemas.CreateAsync(fixture.Client, [Hourly(streams, Catalog.Stream), Stream(streams), .. StreamRules(streams)]);
        await Schemas.CreateAsync(fixture.Client, [Hourly(measures, Catalog.Measure), Measure(measures), .. MeasureRules(measures)]);
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        DateTimeOffset t = now.AddMinutes(-5);
        await QueryData.WriteAsync(fixture.Client, streams, [StreamQueryTests.Element(0, t), StreamQueryTests.Element(1, t)]);
        await QueryData.WriteAsync(fixture.Client, measures, [new CpmPoint(t, "svc-a", "i1", "eu", 200, null, 1, 1)]);

        StreamV1.QueryRequest streamQuery = new() { Groups = { streams }, Name = StreamName, TimeRange = QueryData.Range(t.AddDays(-1), t.AddDays(1)) };
        MeasureV1.QueryRequest measureQuery = new() { Groups = { measures }, Name = MeasureName, TimeRange = QueryData.Range(t.AddDays(-1), t.AddDays(1)), FieldProjection = new() { Names = { "total" } } };
        Assert.Equal(2, (await QueryData.QueryAsync(fixture.Client, streamQuery)).Elements.Count);
        Assert.Equal(1, Assert.Single((await QueryData.QueryAsync(fixture.Client, measureQuery)).DataPoints).Fields[0].Value.Int.Value);

        // Still inside the TTL (2 hours after the segment's end at most an hour from now): visible.
        fixture.Clock.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal(2, (await QueryData.QueryAsync(fixture.Client, streamQuery)).Elements.Count);

        // Three hours on, the segment (one hour, ending at most an hour after t) is past the 2-hour TTL.
        fixture.Clock.Advance(TimeSpan.FromMinutes(120));
        Assert.Empty((await QueryData.QueryAsync(fixture.Client, streamQuery)).Elements);
        Assert.Empty((await QueryData.QueryAsync(fixture.Client, measureQuery)).DataPoints);
        streamQuery.TimeRange = null;
        Assert.Empty((await QueryData.QueryAsync(fixture.Client, streamQuery)).Elements);
    }

    private static Group Hourly(string name, Catalog catalog)
    {
        Group group = Group(name, catalog);
        group.ResourceOpts.SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Hour, Num = 1 };
        group.ResourceOpts.Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Hour, Num = 2 };
        return group;
    }
}
