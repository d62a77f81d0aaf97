using System.Net;
using System.Text;
using Banyan.Api.Model.V1;
using Banyan.Silo.Tests.Data;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Schema;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.TopN;

/// <summary>
/// <c>MeasureService/TopN</c> against a real silo host: ranked lists fed by writes over gRPC, answered at once, kept
/// across restarts (the window continues from what was persisted), and bad requests refused with the field named.
/// </summary>
public sealed class TopNServiceTests
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task Ranked_lists_survive_restarts_and_a_reopened_window_continues_from_what_was_persisted()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        SchemaSamples s = new("topn-restart");
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(s.MeasureGroup());
        await registry.CreateAsync(s.Measure());
        await registry.CreateAsync(s.TopN());
        Metadata measure = s.Measure().Metadata;

        // One minute window, ten minutes ago; "top" ranks total DESC by service.
        DateTimeOffset window = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60) - 600);
        await WriteAsync(host, measure, window, ("e1", "a", 10), ("e2", "a", 30), ("e3", "b", 20));
        MeasureV1.TopNRequest request = Request(s, window, topN: 3);

        // Answered at once, before any flush: the lists in memory count.
        Assert.Equal([("e2", 30L), ("e3", 20L), ("e1", 10L)], Items(await TopNAsync(host, request)));
        request.Conditions.Add(new Condition { Name = "service", Op = Condition.Types.BinaryOp.Eq, Value = new TagValue { Str = new Str { Value = "a" } } });
        Assert.Equal([("e2", 30L), ("e1", 10L)], Items(await TopNAsync(host, request)));
        request.Conditions.Clear();

        await host.RestartAsync();
        Assert.Equal([("e2", 30L), ("e3", 20L), ("e1", 10L)], Items(await TopNAsync(host, request)));

        // A new point in the same window after the restart joins the persisted list of its group ("b"): after another
        // restart both e3 (persisted before) and e4 (written after) are there, and e2's newer, lower value replaced its old one.
        await WriteAsync(host, measure, window.AddSeconds(5), ("e4", "b", 25), ("e2", "a", 5));
        Assert.Equal([("e4", 25L), ("e3", 20L), ("e1", 10L), ("e2", 5L)], Items(await TopNAsync(host, Request(s, window, topN: 4))));
        await host.RestartAsync();
        Assert.Equal([("e4", 25L), ("e3", 20L), ("e1", 10L), ("e2", 5L)], Items(await TopNAsync(host, Request(s, window, topN: 4))));

        // The ranked value of each entity is its best over the windows of the range; COUNT counts that one value.
        await WriteAsync(host, measure, window.AddMinutes(1), ("e1", "a", 50));
        MeasureV1.TopNRequest twoWindows = Request(s, window, topN: 2);
        twoWindows.TimeRange.End = Timestamp.FromDateTimeOffset(window.AddMinutes(2));
        Assert.Equal([("e1", 50L), ("e4", 25L)], Items(await TopNAsync(host, twoWindows)));
        twoWindows.Agg = AggregationFunction.Count;
        Assert.Equal([1L, 1L], (await TopNAsync(host, twoWindows)).Lists.Single().Items.Select(i => i.Value.Int.Value));
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_field_named_over_gRPC_and_the_gateway()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        SchemaSamples s = new("topn-errors");
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(s.MeasureGroup());
        await registry.CreateAsync(s.Measure());
        await registry.CreateAsync(s.TopN());
        DateTimeOffset now = DateTimeOffset.UtcNow;

        MeasureV1.TopNRequest unknown = Request(s, now, topN: 3);
        unknown.Name = "no-such-topn";
        RpcException notFound = await Assert.ThrowsAsync<RpcException>(() => TopNAsync(host, unknown));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("no-such-topn", notFound.Status.Detail, StringComparison.Ordinal);

        RpcException badTopN = await Assert.ThrowsAsync<RpcException>(() => TopNAsync(host, Request(s, now, topN: 0)));
        Assert.Equal(StatusCode.InvalidArgument, badTopN.StatusCode);
        Assert.Contains("top_n", badTopN.Status.Detail, StringComparison.Ordinal);

        MeasureV1.TopNRequest ascending = Request(s, now, topN: 3);
        ascending.FieldValueSort = Sort.Asc; // "top" keeps DESC lists only
        RpcException wrongSort = await Assert.ThrowsAsync<RpcException>(() => TopNAsync(host, ascending));
        Assert.Equal(StatusCode.InvalidArgument, wrongSort.StatusCode);
        Assert.Contains("field_value_sort", wrongSort.Status.Detail, StringComparison.Ordinal);

        MeasureV1.TopNRequest notGroupBy = Request(s, now, topN: 3);
        notGroupBy.Conditions.Add(new Condition { Name = "entity_id", Op = Condition.Types.BinaryOp.Eq, Value = new TagValue { Str = new Str { Value = "e1" } } });
        RpcException badCondition = await Assert.ThrowsAsync<RpcException>(() => TopNAsync(host, notGroupBy));
        Assert.Equal(StatusCode.InvalidArgument, badCondition.StatusCode);
        Assert.Contains("conditions[0].name", badCondition.Status.Detail, StringComparison.Ordinal);

        // The gateway route answers the same errors as JSON.
        using HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}") };
        string group = s.MeasureGroup().Metadata.Name;
        string body = "{\"groups\":[\"" + group + "\"],\"name\":\"top\",\"topN\":0,\"fieldValueSort\":\"SORT_DESC\",\"timeRange\":{\"begin\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T01:00:00Z\"}}";
        using HttpResponseMessage response = await http.PostAsync("/api/v1/measure/topn", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("top_n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static MeasureV1.TopNRequest Request(SchemaSamples s, DateTimeOffset window, int topN) => new()
    {
        Groups = { s.MeasureGroup().Metadata.Name },
        Name = "top",
        TopN = topN,
        FieldValueSort = Sort.Desc,
        TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(window), End = Timestamp.FromDateTimeOffset(window.AddSeconds(59)) },
    };

    private static async Task<MeasureV1.TopNResponse> TopNAsync(SiloHostProcess host, MeasureV1.TopNRequest request) =>
        await new MeasureV1.MeasureService.MeasureServiceClient(host.Channel).TopNAsync(request, deadline: Deadline);

    private static List<(string Entity, long Value)> Items(MeasureV1.TopNResponse response) =>
        [.. response.Lists.SelectMany(l => l.Items).Select(i => (i.Entity.Single(t => t.Key == "entity_id").Value.Str.Value, i.Value.Int.Value))];

    private static async Task WriteAsync(SiloHostProcess host, Metadata measure, DateTimeOffset time, params (string Entity, string Service, long Total)[] points)
    {
        ulong id = 0;
        List<MeasureV1.WriteResponse> written = await WriteExchange.MeasureAsync(host.Channel, points.Select(p => new MeasureV1.WriteRequest
        {
            Metadata = measure,
            MessageId = ++id,
            DataPoint = new MeasureV1.DataPointValue
            {
                Timestamp = Timestamp.FromDateTimeOffset(time),
                TagFamilies =
                {
                    new Banyan.Api.Model.V1.TagFamilyForWrite
                    {
                        Tags = { new TagValue { Str = new Str { Value = p.Entity } }, new TagValue { Str = new Str { Value = p.Entity } }, new TagValue { Str = new Str { Value = p.Service } } },
                    },
                },
                Fields = { new FieldValue { Int = new Int { Value = p.Total } }, new FieldValue { Float = new Banyan.Api.Model.V1.Float { Value = 0.5 } } },
            },
        }));
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));
    }
}
