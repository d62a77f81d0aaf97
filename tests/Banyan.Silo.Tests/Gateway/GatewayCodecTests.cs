using System.IO.Pipelines;
using System.Text;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.Silo.Gateway;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Silo.Tests.Gateway;

/// <summary>The gateway's JSON codec, parameter binding, error mapping and NDJSON line splitting, without a host.</summary>
public sealed class GatewayCodecTests
{
    [Fact]
    public void Every_grpc_code_gets_grpc_gateways_http_status()
    {
        // runtime.HTTPStatusFromCode of grpc-gateway v2.
        Dictionary<StatusCode, int> expected = new()
        {
            [StatusCode.OK] = 200,
            [StatusCode.Cancelled] = 499,
            [StatusCode.Unknown] = 500,
            [StatusCode.InvalidArgument] = 400,
            [StatusCode.DeadlineExceeded] = 504,
            [StatusCode.NotFound] = 404,
            [StatusCode.AlreadyExists] = 409,
            [StatusCode.PermissionDenied] = 403,
            [StatusCode.ResourceExhausted] = 429,
            [StatusCode.FailedPrecondition] = 400,
            [StatusCode.Aborted] = 409,
            [StatusCode.OutOfRange] = 400,
            [StatusCode.Unimplemented] = 501,
            [StatusCode.Internal] = 500,
            [StatusCode.Unavailable] = 503,
            [StatusCode.DataLoss] = 500,
            [StatusCode.Unauthenticated] = 401,
        };
        Assert.Equal(System.Enum.GetValues<StatusCode>().Order(), expected.Keys.Order());
        Assert.All(expected, pair => Assert.Equal(pair.Value, GatewayErrors.HttpStatusOf(pair.Key)));
    }

    [Fact]
    public void Exceptions_map_as_on_the_grpc_endpoint_with_a_413_for_bodies_over_the_limit()
    {
        Assert.Equal((StatusCode.NotFound, 404), Map(new SchemaNotFoundException("Stream 'g/sw' does not exist.")));
        Assert.Equal((StatusCode.InvalidArgument, 400), Map(new SchemaValidationException("stream.metadata.name", "is required")));
        Assert.Equal((StatusCode.Unavailable, 503), Map(new TimeoutException("slow")));
        Assert.Equal((StatusCode.Internal, 500), Map(new InvalidOperationException("bug")));
        Assert.Equal((StatusCode.ResourceExhausted, 413), Map(new RequestTooLargeException("The request body", 16 * 1024 * 1024)));
        Assert.Equal("line 3 is larger than the gateway's limit of 4096 bytes (4 KiB, Silo:HttpMaxMessageSize)", new RequestTooLargeException("line 3", 4096).Message);

        (Status unimplemented, int status) = GatewayErrors.Of(new RpcException(new Status(StatusCode.Unimplemented, string.Empty)), callCancelled: false, "/banyandb.measure.v1.MeasureService/TopN");
        Assert.Equal(501, status);
        Assert.Equal("/banyandb.measure.v1.MeasureService/TopN is not implemented by this server", unimplemented.Detail);

        static (StatusCode, int) Map(Exception e)
        {
            (Status s, int http) = GatewayErrors.Of(e, callCancelled: false, "/x.Y/Z");
            return (s.StatusCode, http);
        }
    }

    [Fact]
    public void The_error_body_is_code_message_and_empty_details_with_the_message_unescaped()
    {
        Assert.Equal(
            "{\"code\":5,\"message\":\"Stream 'g/sw' does not exist: ü <&>\",\"details\":[]}",
            Encoding.UTF8.GetString(GatewayErrors.Body(new Status(StatusCode.NotFound, "Stream 'g/sw' does not exist: ü <&>"))));
    }

    [Fact]
    public void Output_is_lower_camel_case_with_defaults_and_int64_as_strings()
    {
        string json = GatewayCodec.Format(new GroupRegistryServiceDeleteResponse());
        Assert.Equal("{ \"deleteTime\": \"0\", \"modRevision\": \"0\" }", json);
        Assert.Contains("\"tagFamilies\": [ ]", GatewayCodec.Format(new Measure()), StringComparison.Ordinal);
        Assert.Contains("\"catalog\": \"CATALOG_UNSPECIFIED\"", GatewayCodec.Format(new Banyan.Api.Common.V1.Group()), StringComparison.Ordinal);
    }

    [Fact]
    public void Input_takes_both_name_styles_int64_strings_and_numbers_and_ignores_unknown_fields()
    {
        MeasureV1.WriteRequest camel = GatewayCodec.Parse<MeasureV1.WriteRequest>("{\"messageId\": \"7\", \"dataPoint\": {\"version\": 3}, \"future\": [{}]}", "line 1");
        MeasureV1.WriteRequest proto = GatewayCodec.Parse<MeasureV1.WriteRequest>("{\"message_id\": 7, \"data_point\": {\"version\": \"3\", \"future\": null}}", "line 1");
        Assert.Equal(camel, proto);
        Assert.Equal(7UL, camel.MessageId);
        Assert.Equal(3, camel.DataPoint.Version);

        RpcException bad = Assert.Throws<RpcException>(() => GatewayCodec.Parse<MeasureV1.WriteRequest>("{\"messageId\": \"x\"}", "line 4"));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("line 4 is not a valid banyandb.measure.v1.WriteRequest in JSON: ", bad.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_parameters_set_fields_by_either_name_nested_repeated_enums_and_timestamps()
    {
        MeasureV1.QueryRequest request = new();
        GatewayCodec.BindQuery(request, Query("groups=a&groups=b&name=cpm&limit=5&orderBy.sort=SORT_DESC&order_by.index_rule_name=r&timeRange.begin=2026-01-02T03:04:05Z&time_range.end=2026-01-03T00:00:00Z&trace=T&noSuchField=1&no.such.path=2"), []);
        Assert.Equal(["a", "b"], request.Groups);
        Assert.Equal("cpm", request.Name);
        Assert.Equal(5U, request.Limit);
        Assert.Equal(Banyan.Api.Model.V1.Sort.Desc, request.OrderBy.Sort);
        Assert.Equal("r", request.OrderBy.IndexRuleName);
        Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), request.TimeRange.Begin);
        Assert.True(request.Trace);

        MeasureV1.QueryRequest byNumber = new();
        GatewayCodec.BindQuery(byNumber, Query("order_by.sort=1"), []);
        Assert.Equal(Banyan.Api.Model.V1.Sort.Desc, byNumber.OrderBy.Sort);

        // Path parameters win: the query cannot set a field the path binds.
        GroupRegistryServiceDeleteRequest delete = new();
        GatewayCodec.BindQuery(delete, Query("group=from-query&dry_run=true&force=0"), ["group"]);
        GatewayCodec.BindPathParameter(delete, "group", "from-path");
        Assert.Equal("from-path", delete.Group);
        Assert.True(delete.DryRun);
        Assert.False(delete.Force);

        StreamRegistryServiceUpdateRequest update = new();
        GatewayCodec.BindPathParameter(update, "stream.metadata.group", "g");
        GatewayCodec.BindPathParameter(update, "stream.metadata.name", "sw");
        Assert.Equal(("g", "sw"), (update.Stream.Metadata.Group, update.Stream.Metadata.Name));
        Assert.Throws<InvalidOperationException>(() => GatewayCodec.BindPathParameter(update, "stream.nope", "x"));
    }

    [Theory]
    [InlineData("limit=-1", "query parameter 'limit': '-1' is not a valid uint32")]
    [InlineData("trace=yes", "query parameter 'trace': 'yes' is not a valid bool")]
    [InlineData("orderBy.sort=SORT_UP", "query parameter 'orderBy.sort': 'SORT_UP' is not a valid banyandb.model.v1.Sort (one of SORT_UNSPECIFIED, SORT_DESC, SORT_ASC)")]
    [InlineData("timeRange.begin=yesterday", "query parameter 'timeRange.begin': 'yesterday' is not a valid google.protobuf.Timestamp")]
    [InlineData("tagProjection=x", "query parameter 'tagProjection': 'x' is not a valid banyandb.model.v1.TagProjection")]
    public void A_query_parameter_that_does_not_fit_its_field_is_INVALID_ARGUMENT_naming_it(string query, string message)
    {
        RpcException e = Assert.Throws<RpcException>(() => GatewayCodec.BindQuery(new MeasureV1.QueryRequest(), Query(query), []));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task Ndjson_lines_are_split_as_they_arrive_skipping_blank_ones_and_counting_every_line()
    {
        Pipe pipe = new();
        using NdjsonLineReader lines = new(pipe.Reader, maxLineBytes: 16);
        await WriteAsync(pipe, "{\"a\":1}\n\n  \r\n{\"b\"");
        Assert.Equal(new NdjsonLine(1, "{\"a\":1}", null), await lines.ReadLineAsync(CancellationToken.None));
        ValueTask<NdjsonLine?> pending = lines.ReadLineAsync(CancellationToken.None);
        Assert.False(pending.IsCompleted, "the fourth line has not ended yet");
        await WriteAsync(pipe, ":2}\r\n{\"c\":3}");
        Assert.Equal(new NdjsonLine(4, "{\"b\":2}", null), await pending);
        await pipe.Writer.CompleteAsync();
        Assert.Equal(new NdjsonLine(5, "{\"c\":3}", null), await lines.ReadLineAsync(CancellationToken.None));
        Assert.Null(await lines.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_ndjson_line_over_the_limit_is_reported_and_skipped_across_chunks_without_being_kept()
    {
        Pipe pipe = new();
        using NdjsonLineReader lines = new(pipe.Reader, maxLineBytes: 16);
        Task<List<NdjsonLine>> reading = ReadAllAsync(lines);
        await WriteAsync(pipe, "0123456789abcdef\n");              // exactly the limit
        await WriteAsync(pipe, "0123456789");
        await WriteAsync(pipe, "0123456789");                        // past the limit without a newline yet
        await WriteAsync(pipe, "0123456789\nok\n");
        await WriteAsync(pipe, "\u00e9\n");                          // two bytes of UTF-8
        await pipe.Writer.WriteAsync(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'\n' });   // not UTF-8
        await WriteAsync(pipe, "tail line that is far too long");   // the last line, no newline
        await pipe.Writer.CompleteAsync();

        List<NdjsonLine> read = await reading;
        Assert.Equal([1, 2, 3, 4, 5, 6], read.Select(l => l.Number));
        Assert.Equal("0123456789abcdef", read[0].Text);
        Assert.Null(read[1].Text);
        Assert.Equal("line 2 is larger than the gateway's limit of 16 bytes (16 B, Silo:HttpMaxMessageSize)", Assert.IsType<RequestTooLargeException>(read[1].Error).Message);
        Assert.Equal("ok", read[2].Text);
        Assert.Equal("\u00e9", read[3].Text);
        RpcException notUtf8 = Assert.IsType<RpcException>(read[4].Error);
        Assert.StartsWith("line 5 is not valid UTF-8", notUtf8.Status.Detail, StringComparison.Ordinal);
        Assert.IsType<RequestTooLargeException>(read[5].Error);
    }

    private static QueryCollection Query(string text) => new QueryCollection(QueryHelpers.ParseQuery(text));

    private static async Task WriteAsync(Pipe pipe, string text)
    {
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    private static async Task<List<NdjsonLine>> ReadAllAsync(NdjsonLineReader lines)
    {
        List<NdjsonLine> all = [];
        while (await lines.ReadLineAsync(CancellationToken.None) is { } line)
        {
            all.Add(line);
        }

        return all;
    }
}
