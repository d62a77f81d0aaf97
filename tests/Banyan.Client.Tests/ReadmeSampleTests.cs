using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Client.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Client.Tests;

/// <summary>
/// The README's "Using Banyan from .NET" sample, statement for statement (the usings above are the sample's), against the
/// test cluster's client instead of one resolved from a host: it compiles, and it does what the README says it does.
/// </summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class ReadmeSampleTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task The_README_sample_creates_a_measure_writes_10000_points_and_sums_them_per_service()
    {
        BanyanClient banyan = fixture.Client;
        List<string> output = [];

        // --- from the README, with Console.WriteLine writing to `output` ---
        await banyan.Schemas.Groups.CreateAsync(new Group
        {
            Metadata = new Metadata { Name = "app_metric" },
            Catalog = Catalog.Measure,
            ResourceOpts = new ResourceOpts
            {
                ShardNum = 2,
                SegmentInterval = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 1 },
                Ttl = new IntervalRule { Unit = IntervalRule.Types.Unit.Day, Num = 7 },
            },
        });
        await banyan.Schemas.Measures.CreateAsync(new Measure
        {
            Metadata = new Metadata { Group = "app_metric", Name = "requests" },
            TagFamilies = { new TagFamilySpec { Name = "default", Tags = { new TagSpec { Name = "service", Type = TagType.String } } } },
            Fields = { new FieldSpec { Name = "count", FieldType = FieldType.Int, EncodingMethod = EncodingMethod.Gorilla, CompressionMethod = CompressionMethod.Zstd } },
            Entity = new Entity { TagNames = { "service" } },
            Interval = "1m",
        });

        DateTimeOffset start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddMinutes(-5);
        await using (MeasureWriter writer = banyan.CreateMeasureWriter("app_metric", "requests"))
        {
            for (int i = 0; i < 10_000; i++)
            {
                // Returns once the point is buffered; waits while the writer holds all it may (back-pressure).
                await writer.WriteAsync(new MeasureV1.DataPointValue
                {
                    Timestamp = Timestamp.FromDateTimeOffset(start.AddMilliseconds(i)),
                    TagFamilies = { new TagFamilyForWrite { Tags = { new TagValue { Str = new Str { Value = "svc-" + (i % 10) } } } } },
                    Fields = { new FieldValue { Int = new Int { Value = 1 } } },
                });
            }

            // Returns once every point is acknowledged (durable) or reported failed, with its status and reason.
            BulkWriteResult<MeasureV1.DataPointValue> result = await writer.CompleteAsync();
            output.Add($"{result.Acknowledged} stored, {result.Failed} failed");
            foreach (WriteFailure<MeasureV1.DataPointValue> failure in result.Failures)
            {
                output.Add(failure.ToString());
            }
        }

        MeasureV1.QueryResponse answer = await banyan.QueryAsync(new MeasureV1.QueryRequest
        {
            Groups = { "app_metric" },
            Name = "requests",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(start), End = Timestamp.FromDateTimeOffset(start.AddMinutes(1)) },
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "service" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "count" } },
            GroupBy = new MeasureV1.QueryRequest.Types.GroupBy
            {
                TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "service" } } } },
                FieldName = "count",
            },
            Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Sum, FieldName = "count" },
        });
        foreach (MeasureV1.DataPoint point in answer.DataPoints.OrderBy(p => p.TagFamilies[0].Tags[0].Value.Str.Value, StringComparer.Ordinal))
        {
            output.Add($"{point.TagFamilies[0].Tags[0].Value.Str.Value}: {point.Fields[0].Value.Int.Value}");
        }

        // --- end of the sample ---
        Assert.Equal(["10000 stored, 0 failed", .. Enumerable.Range(0, 10).Select(s => $"svc-{s}: 1000")], output);
    }
}
