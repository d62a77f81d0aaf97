using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Measure.V1;
using Banyan.Api.Model.V1;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Client.Writes;
using Banyan.GrainInterfaces.Schema;
using Google.Protobuf.WellKnownTypes;

namespace Banyan.Client.Tests.Queries;

/// <summary><see cref="BanyanClient.TopNAsync"/> on the 3-silo cluster: lists fed by the bulk writer, read back ranked; bad requests name the field.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class TopNQueryTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task TopN_reads_the_ranked_lists_the_writes_fed_across_shards()
    {
        const string group = "client-topn";
        await Subjects.CreateMeasureAsync(fixture.Client, group, shards: 4);
        await fixture.Client.Schemas.TopNAggregations.CreateAsync(new TopNAggregation
        {
            Metadata = new Metadata { Group = group, Name = "top-total" },
            SourceMeasure = new Metadata { Group = group, Name = "cpm" },
            FieldName = "total",
            FieldValueSort = Sort.Desc,
            CountersNumber = 1000,
            LruSize = 10,
        });

        // 50 entities, one point each, all in one minute window (the measure's interval): totals 0..49.
        await using (MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm"))
        {
            for (int i = 0; i < 50; i++)
            {
                await writer.WriteAsync(Subjects.Point(i));
            }

            Assert.Equal(0, (await writer.CompleteAsync()).Failed);
        }

        TopNResponse response = await fixture.Client.TopNAsync(Request(group, "top-total", topN: 3));
        List<(string Entity, long Value)> items = [.. response.Lists.SelectMany(l => l.Items).Select(i => (i.Entity.Single().Value.Str.Value, i.Value.Int.Value))];
        Assert.Equal([("entity-49", 49L), ("entity-48", 48L), ("entity-47", 47L)], items);
    }

    [Fact]
    public async Task A_request_without_a_name_or_group_is_refused_naming_the_field()
    {
        TopNRequest noName = Request("any", string.Empty, topN: 3);
        SchemaValidationException e = await Assert.ThrowsAsync<SchemaValidationException>(() => fixture.Client.TopNAsync(noName));
        Assert.Equal("name", e.Field);

        TopNRequest noGroup = Request("any", "top", topN: 3);
        noGroup.Groups.Clear();
        e = await Assert.ThrowsAsync<SchemaValidationException>(() => fixture.Client.TopNAsync(noGroup));
        Assert.Equal("groups", e.Field);
    }

    private static TopNRequest Request(string group, string name, int topN) => new()
    {
        Groups = { group },
        Name = name,
        TimeRange = new TimeRange
        {
            Begin = Timestamp.FromDateTimeOffset(Subjects.Recent.AddMinutes(-5)),
            End = Timestamp.FromDateTimeOffset(Subjects.Recent.AddMinutes(5)),
        },
        TopN = topN,
        Agg = AggregationFunction.Max,
        FieldValueSort = Sort.Desc,
    };
}
