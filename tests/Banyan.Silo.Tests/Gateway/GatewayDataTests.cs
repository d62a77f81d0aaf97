using System.Net;
using System.Text.Json;
using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>
/// The gateway's data routes against a real silo host: NDJSON writes (one answer line per line, in order, bad lines
/// answered in their place while the rest land, the first line's metadata, lines over the limit, answers while the body
/// is still arriving), and stream, measure and TopN queries answering what the gRPC endpoint answers.
/// </summary>
public sealed class GatewayDataTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>, IDisposable
{
    private readonly GatewayHttp _http = new(fixture.Host.HttpPort);

    private static DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_measure_write_answers_every_line_in_order_and_bad_lines_in_their_place_while_the_rest_land()
    {
        const string group = "gw-w-measure";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-10);
        MeasureV1.WriteRequest badTime = WriteSchemas.Point(null, 6, t, "e6", 6);
        badTime.DataPoint.Timestamp = new Timestamp { Seconds = t.ToUnixTimeSeconds(), Nanos = 1_500 };

        // message_id as a string and as a number; proto names and lowerCamelCase; an unknown field.
        string second = JsonFormatter.Default.Format(WriteSchemas.Point(null, 2, t.AddSeconds(1), "e2", 2)).Replace("\"messageId\": \"2\"", "\"messageId\": 2, \"someFutureField\": {}", StringComparison.Ordinal);
        Assert.Contains("\"messageId\": 2,", second, StringComparison.Ordinal);
        string[] lines =
        [
            JsonFormatter.Default.Format(WriteSchemas.Point(metadata, 1, t, "e1", 1)),
            second,
            "{\"message_id\": \"3\", \"data_point\": ",                     // not JSON
            string.Empty,                                                     // blank: no answer
            GatewayHttp.ProtoNames.Format(WriteSchemas.Point(null, 4, t.AddSeconds(2), "e4", 4)),
            "{\"messageId\": \"five\"}",                                       // JSON, not a WriteRequest
            JsonFormatter.Default.Format(badTime),                            // a WriteRequest the pump refuses
            "  " + JsonFormatter.Default.Format(WriteSchemas.Point(null, 7, t.AddSeconds(3), "e7", 7)) + "\r",
        ];

        (GatewayAnswer answer, List<string> answers) = await _http.WriteAsync("/api/v1/measure/write", lines);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/x-ndjson", answer.MediaType);
        Assert.Equal(7, answers.Count);
        Assert.Equal((1UL, "STATUS_SUCCEED"), Response(answers[0]));
        Assert.Equal((2UL, "STATUS_SUCCEED"), Response(answers[1]));
        Assert.StartsWith("line 3 is not a valid banyandb.measure.v1.WriteRequest in JSON:", GatewayAnswer.AssertErrorBody(answers[2], StatusCode.InvalidArgument), StringComparison.Ordinal);
        Assert.Equal((4UL, "STATUS_SUCCEED"), Response(answers[3]));
        Assert.StartsWith("line 6 is not a valid banyandb.measure.v1.WriteRequest in JSON:", GatewayAnswer.AssertErrorBody(answers[4], StatusCode.InvalidArgument), StringComparison.Ordinal);
        Assert.Equal((6UL, "STATUS_INVALID_TIMESTAMP"), Response(answers[5]));
        Assert.Equal((7UL, "STATUS_SUCCEED"), Response(answers[6]));

        // Each response carries the metadata in force, in lowerCamelCase with defaults written.
        JsonElement carried = JsonDocument.Parse(answers[6]).RootElement.GetProperty("metadata");
        Assert.Equal(group, carried.GetProperty("group").GetString());
        Assert.Equal(metadata.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture), carried.GetProperty("modRevision").GetString());

        List<StoredRow> rows = await StoredRows.ReadAsync(fixture.Host.Grains(), group, "cpm");
        Assert.Equal([1L, 2L, 4L, 7L], rows.Select(r => (long)r[null, "total"]!).Order());
    }

    [Fact]
    public async Task A_stream_write_carries_metadata_over_and_its_bad_line_does_not_stop_the_rest()
    {
        const string group = "gw-w-stream";
        await CreateAsync(WriteSchemas.Group(group, Catalog.Stream), "group");
        await CreateAsync(WriteSchemas.Stream(group), "stream");
        Metadata metadata = new() { Group = group, Name = "log" };
        DateTimeOffset t = Now.AddMinutes(-3);
        string[] lines =
        [
            JsonFormatter.Default.Format(WriteSchemas.Element(metadata, 1, t, "svc-a", "a1")),
            "[1, 2, 3]",
            JsonFormatter.Default.Format(WriteSchemas.Element(null, 3, t.AddSeconds(1), "svc-b", "b1")),
            JsonFormatter.Default.Format(WriteSchemas.Element(new Metadata { Group = group, Name = "no_such_stream" }, 4, t, "svc-c", "c1")),
        ];

        (GatewayAnswer answer, List<string> answers) = await _http.WriteAsync("/api/v1/stream/write", lines);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(4, answers.Count);
        Assert.Equal((1UL, "STATUS_SUCCEED"), Response(answers[0]));
        Assert.StartsWith("line 2 ", GatewayAnswer.AssertErrorBody(answers[1], StatusCode.InvalidArgument), StringComparison.Ordinal);
        Assert.Equal((3UL, "STATUS_SUCCEED"), Response(answers[2]));
        Assert.Equal((4UL, "STATUS_NOT_FOUND"), Response(answers[3]));

        StreamV1.QueryRequest query = new()
        {
            Groups = { group },
            Name = "log",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t.AddMinutes(-1)), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            Projection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "service" } } } },
        };
        StreamV1.QueryResponse found = (await _http.PostAsync("/api/v1/stream/data", query)).As<StreamV1.QueryResponse>();
        Assert.Equal(["svc-a", "svc-b"], found.Elements.Select(e => e.TagFamilies[0].Tags[0].Value.Str.Value).Order());
    }

    [Fact]
    public async Task A_first_line_without_metadata_is_refused_with_400_naming_the_line()
    {
        const string group = "gw-w-nometa";
        await CreateMeasureAsync(group);
        string[] lines =
        [
            "not json",
            JsonFormatter.Default.Format(WriteSchemas.Point(null, 1, Now, "e1", 1)),
            JsonFormatter.Default.Format(WriteSchemas.Point(new Metadata { Group = group, Name = "cpm" }, 2, Now, "e2", 2)),
        ];

        (GatewayAnswer answer, _) = await _http.WriteAsync("/api/v1/measure/write", lines);

        Assert.Equal("line 2: metadata is required for the first request of gRPC stream", answer.AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument));
        Assert.Empty(await StoredRows.ReadAsync(fixture.Host.Grains(), group, "cpm"));
    }

    [Fact]
    public async Task A_line_over_16_MiB_is_answered_in_its_place_and_skipped_while_the_body_as_a_whole_has_no_limit()
    {
        const string group = "gw-w-long";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-2);

        // 31 MiB: past the line limit, and the body past Kestrel's default body limit (30,000,000 bytes) too.
        string huge = "{\"messageId\": \"2\", \"dataPoint\": {\"tagFamilies\": [{\"tags\": [{\"str\": {\"value\": \"" + new string('x', 31 * 1024 * 1024) + "\"}}]}]}}";
        string[] lines =
        [
            JsonFormatter.Default.Format(WriteSchemas.Point(metadata, 1, t, "e1", 1)),
            huge,
            JsonFormatter.Default.Format(WriteSchemas.Point(null, 3, t.AddSeconds(1), "e3", 3)),
        ];

        (GatewayAnswer answer, List<string> answers) = await _http.WriteAsync("/api/v1/measure/write", lines);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(3, answers.Count);
        Assert.Equal((1UL, "STATUS_SUCCEED"), Response(answers[0]));
        Assert.Equal(
            "line 2 is larger than the gateway's limit of 16777216 bytes (16 MiB, Silo:HttpMaxMessageSize)",
            GatewayAnswer.AssertErrorBody(answers[1], StatusCode.ResourceExhausted));
        Assert.Equal((3UL, "STATUS_SUCCEED"), Response(answers[2]));
        Assert.Equal([1L, 3L], (await StoredRows.ReadAsync(fixture.Host.Grains(), group, "cpm")).Select(r => (long)r[null, "total"]!).Order());
    }

    [Fact]
    public async Task Each_line_is_answered_while_the_body_is_still_arriving()
    {
        const string group = "gw-w-duplex";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-1);
        await using RawHttpExchange exchange = await RawHttpExchange.PostAsync(fixture.Host.HttpPort, "/api/v1/measure/write", "application/x-ndjson");

        // The first line, split across two chunks: answered before the body goes on.
        string first = JsonFormatter.Default.Format(WriteSchemas.Point(metadata, 1, t, "e1", 1)) + "\n";
        await exchange.SendAsync(first[..10]);
        await exchange.SendAsync(first[10..]);
        (int status, Dictionary<string, string> headers) = await exchange.ReadHeadAsync();
        Assert.Equal(200, status);
        Assert.StartsWith("application/x-ndjson", headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal((1UL, "STATUS_SUCCEED"), Response((await exchange.ReadBodyLineAsync())!));

        // A bad line is answered as soon as the next good one is.
        await exchange.SendAsync("{oops\n" + JsonFormatter.Default.Format(WriteSchemas.Point(null, 3, t.AddSeconds(1), "e3", 3)) + "\n");
        GatewayAnswer.AssertErrorBody((await exchange.ReadBodyLineAsync())!, StatusCode.InvalidArgument);
        Assert.Equal((3UL, "STATUS_SUCCEED"), Response((await exchange.ReadBodyLineAsync())!));

        // The last line needs no newline.
        await exchange.SendAsync(JsonFormatter.Default.Format(WriteSchemas.Point(null, 4, t.AddSeconds(2), "e4", 4)));
        await exchange.EndAsync();
        Assert.Equal((4UL, "STATUS_SUCCEED"), Response((await exchange.ReadBodyLineAsync())!));
        Assert.Null(await exchange.ReadBodyLineAsync());
        Assert.Equal(3, (await StoredRows.ReadAsync(fixture.Host.Grains(), group, "cpm")).Count);
    }

    [Fact]
    public async Task Measure_and_stream_queries_answer_what_grpc_answers_in_either_name_style()
    {
        const string measureGroup = "gw-q-measure";
        Metadata metadata = await CreateMeasureAsync(measureGroup);
        DateTimeOffset t = Now.AddMinutes(-20);
        List<MeasureV1.WriteRequest> points = [.. Enumerable.Range(1, 6).Select(i => WriteSchemas.Point(i == 1 ? metadata : null, (ulong)i, t.AddMinutes(i), "e" + (i % 2), i * 10, i / 2.0))];
        (_, List<string> written) = await _http.WriteAsync("/api/v1/measure/write", points.Select(p => JsonFormatter.Default.Format(p)));
        Assert.All(written, line => Assert.Equal("STATUS_SUCCEED", Response(line).Status));

        MeasureV1.QueryRequest raw = new()
        {
            Groups = { measureGroup },
            Name = "cpm",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t), End = Timestamp.FromDateTimeOffset(t.AddHours(1)) },
            Criteria = new Criteria { Condition = new Condition { Name = "code", Op = Condition.Types.BinaryOp.Eq, Value = WriteSchemas.Number(200) } },
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "id", "entity_id" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total", "value" } },
            OrderBy = new QueryOrder { Sort = Sort.Desc },
        };
        MeasureV1.QueryRequest mean = new()
        {
            Groups = { measureGroup },
            Name = "cpm",
            TimeRange = raw.TimeRange,
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
            GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } }, FieldName = "total" },
            Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Mean, FieldName = "total" },
        };
        MeasureV1.MeasureService.MeasureServiceClient measures = new(fixture.Host.Channel);
        foreach (MeasureV1.QueryRequest query in new[] { raw, mean })
        {
            MeasureV1.QueryResponse viaGrpc = await measures.QueryAsync(query, deadline: RegistryClients.Deadline);
            Assert.NotEmpty(viaGrpc.DataPoints);
            Assert.Equal(viaGrpc, (await _http.PostAsync("/api/v1/measure/data", query)).As<MeasureV1.QueryResponse>());
            Assert.Equal(viaGrpc, (await _http.PostAsync("/api/v1/measure/data", GatewayHttp.ProtoNames.Format(query))).As<MeasureV1.QueryResponse>());
        }

        Assert.Equal(6, (await _http.PostAsync("/api/v1/measure/data", raw)).As<MeasureV1.QueryResponse>().DataPoints.Count);

        // An int64 criteria value as a JSON string, as protojson clients send it.
        string asString = JsonFormatter.Default.Format(raw);
        Assert.Contains("\"value\": \"200\"", asString, StringComparison.Ordinal);
        Assert.Equal(6, (await _http.PostAsync("/api/v1/measure/data", asString)).As<MeasureV1.QueryResponse>().DataPoints.Count);
        Assert.Equal(6, (await _http.PostAsync("/api/v1/measure/data", asString.Replace("\"value\": \"200\"", "\"value\": 200", StringComparison.Ordinal))).As<MeasureV1.QueryResponse>().DataPoints.Count);

        const string streamGroup = "gw-q-stream";
        await CreateAsync(WriteSchemas.Group(streamGroup, Catalog.Stream), "group");
        await CreateAsync(WriteSchemas.Stream(streamGroup), "stream");
        Metadata log = new() { Group = streamGroup, Name = "log" };
        (_, written) = await _http.WriteAsync("/api/v1/stream/write", Enumerable.Range(1, 5).Select(i => JsonFormatter.Default.Format(WriteSchemas.Element(i == 1 ? log : null, (ulong)i, t.AddMinutes(i), "svc-" + (i % 2), "el-" + i, i))));
        Assert.All(written, line => Assert.Equal("STATUS_SUCCEED", Response(line).Status));
        StreamV1.QueryRequest elements = new()
        {
            Groups = { streamGroup },
            Name = "log",
            TimeRange = raw.TimeRange,
            OrderBy = new QueryOrder { Sort = Sort.Asc },
            Projection = new TagProjection
            {
                TagFamilies =
                {
                    new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "service", "level" } },
                    new TagProjection.Types.TagFamily { Name = "data", Tags = { "body" } },
                },
            },
        };
        StreamV1.QueryResponse streamViaGrpc = await new StreamV1.StreamService.StreamServiceClient(fixture.Host.Channel).QueryAsync(elements, deadline: RegistryClients.Deadline);
        Assert.Equal(5, streamViaGrpc.Elements.Count);
        StreamV1.QueryResponse streamViaHttp = (await _http.PostAsync("/api/v1/stream/data", GatewayHttp.ProtoNames.Format(elements))).As<StreamV1.QueryResponse>();
        Assert.Equal(streamViaGrpc, streamViaHttp);
        Assert.Equal("body of el-1", streamViaHttp.Elements[0].TagFamilies[1].Tags[0].Value.BinaryData.ToStringUtf8());

        // Refusals keep their status: an unknown group is NOT_FOUND, a bad projection INVALID_ARGUMENT naming the field.
        elements.Groups[0] = "gw-no-such-group";
        (await _http.PostAsync("/api/v1/stream/data", elements)).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound);
        raw.FieldProjection.Names.Add("nope");
        Assert.StartsWith("field_projection.names[2]:", (await _http.PostAsync("/api/v1/measure/data", raw)).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument), StringComparison.Ordinal);
        Assert.Equal("groups: at least one group is required", (await _http.PostAsync("/api/v1/measure/data", "{}")).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument));
    }

    [Fact]
    public async Task TopN_is_routed_to_the_measure_service_and_answers_as_grpc_does()
    {
        MeasureV1.TopNRequest request = new()
        {
            Groups = { "gw-topn" },
            Name = "top",
            TopN = 3,
            Agg = AggregationFunction.Max,
            FieldValueSort = Sort.Desc,
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(Now.AddHours(-1)), End = Timestamp.FromDateTimeOffset(Now) },
        };
        GatewayAnswer answer = await _http.PostAsync("/api/v1/measure/topn", request);
        try
        {
            MeasureV1.TopNResponse viaGrpc = await new MeasureV1.MeasureService.MeasureServiceClient(fixture.Host.Channel).TopNAsync(request, deadline: RegistryClients.Deadline);
            Assert.Equal(viaGrpc, answer.As<MeasureV1.TopNResponse>());
        }
        catch (RpcException e)
        {
            // Not served (yet) or refused: the same code, with the HTTP status grpc-gateway gives it.
            string message = answer.AssertError((HttpStatusCode)Silo.Gateway.GatewayErrors.HttpStatusOf(e.StatusCode), e.StatusCode);
            if (e.StatusCode == StatusCode.Unimplemented)
            {
                Assert.Contains("MeasureService/TopN", message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(e.Status.Detail, message);
            }
        }
    }

    private static (ulong MessageId, string Status) Response(string line)
    {
        MeasureV1.WriteResponse response = JsonParser.Default.Parse<MeasureV1.WriteResponse>(line);
        return (response.MessageId, response.Status);
    }

    private async Task<Metadata> CreateMeasureAsync(string group)
    {
        await CreateAsync(WriteSchemas.Group(group, Catalog.Measure), "group");
        long revision = await CreateAsync(WriteSchemas.Measure(group), "measure");
        return new Metadata { Group = group, Name = "cpm", ModRevision = revision };
    }

    private async Task<long> CreateAsync(IMessage schema, string kind)
    {
        string field = kind;
        GatewayAnswer answer = await _http.PostAsync($"/api/v1/{kind}/schema", $"{{\"{field}\": {JsonFormatter.Default.Format(schema)}}}");
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body);
        return long.Parse(answer.Json().GetProperty("modRevision").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
