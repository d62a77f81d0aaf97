using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Storage.Series;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// <c>StreamService/Query</c> and <c>MeasureService/Query</c> through Grpc.Net.Client against a real silo host: what a
/// write stream acknowledged is answered, and bad queries get BanyanDB's status codes with messages that name the field.
/// </summary>
public sealed class QueryServiceTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private static DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task Stream_elements_written_over_gRPC_are_answered_by_Query()
    {
        const string group = "gq-stream";
        Metadata metadata = await CreateStreamAsync(group);
        DateTimeOffset t = Now.AddMinutes(-10);
        List<StreamV1.WriteResponse> written = await WriteExchange.StreamAsync(fixture.Host.Channel,
        [
            WriteSchemas.Element(metadata, 1, t, "svc-a", "el-1", level: 3),
            WriteSchemas.Element(null, 2, t.AddSeconds(1), "svc-b", "el-2", level: 5),
            WriteSchemas.Element(null, 3, t.AddSeconds(2), "svc-a", "el-3", level: 7),
        ]);
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));

        StreamV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = "log",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t), End = Timestamp.FromDateTimeOffset(t.AddSeconds(2)) },
            Criteria = new Criteria { Condition = new Condition { Name = "level", Op = Condition.Types.BinaryOp.Gt, Value = WriteSchemas.Number(3) } },
            Projection = new TagProjection
            {
                TagFamilies =
                {
                    new TagProjection.Types.TagFamily { Name = "data", Tags = { "body" } },
                    new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "level", "service" } },
                },
            },
            OrderBy = new QueryOrder { Sort = Sort.Desc },
        };
        StreamV1.QueryResponse response = await Streams.QueryAsync(request, deadline: Deadline);

        Assert.Equal(2, response.Elements.Count);
        StreamV1.Element third = response.Elements[0];
        Assert.Equal(StreamElementId.Format(group, "log", "el-3"), third.ElementId);
        Assert.Equal(Timestamp.FromDateTimeOffset(t.AddSeconds(2)), third.Timestamp);
        Assert.Equal(["data", "searchable"], third.TagFamilies.Select(f => f.Name));
        Assert.Equal(ByteString.CopyFromUtf8("body of el-3"), third.TagFamilies[0].Tags.Single(g => g.Key == "body").Value.BinaryData);
        Assert.Equal(["level", "service"], third.TagFamilies[1].Tags.Select(g => g.Key));
        Assert.Equal([WriteSchemas.Number(7), WriteSchemas.Str("svc-a")], third.TagFamilies[1].Tags.Select(g => g.Value));
        Assert.Equal(StreamElementId.Format(group, "log", "el-2"), response.Elements[1].ElementId);
        Assert.Equal([WriteSchemas.Number(5), WriteSchemas.Str("svc-b")], response.Elements[1].TagFamilies[1].Tags.Select(g => g.Value));

        // The entity condition selects the series.
        request.Criteria = new Criteria { Condition = new Condition { Name = "service", Op = Condition.Types.BinaryOp.Eq, Value = WriteSchemas.Str("svc-a") } };
        Assert.Equal(new[] { "el-3", "el-1" }.Select(id => StreamElementId.Format(group, "log", id)), (await Streams.QueryAsync(request, deadline: Deadline)).Elements.Select(e => e.ElementId));
    }

    [Fact]
    public async Task Measure_points_written_over_gRPC_are_answered_by_Query_with_aggregation()
    {
        const string group = "gq-measure";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-10);
        List<MeasureV1.WriteResponse> written = await WriteExchange.MeasureAsync(fixture.Host.Channel,
        [
            WriteSchemas.Point(metadata, 1, t, "e1", 10, 1.5),
            WriteSchemas.Point(null, 2, t.AddMinutes(1), "e1", 30, 2.5),
            WriteSchemas.Point(null, 3, t, "e2", 5, 0.5),
        ]);
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));

        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = "cpm",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id", "code" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total", "value" } },
        };
        MeasureV1.QueryResponse response = await Measures.QueryAsync(request, deadline: Deadline);
        Assert.Equal(3, response.DataPoints.Count);
        MeasureV1.DataPoint last = response.DataPoints[^1];
        Assert.Equal(Timestamp.FromDateTimeOffset(t.AddMinutes(1)), last.Timestamp);
        Assert.Equal([WriteSchemas.Str("e1"), WriteSchemas.Number(200)], last.TagFamilies[0].Tags.Select(g => g.Value));
        Assert.Equal(30, last.Fields[0].Value.Int.Value);
        Assert.Equal(2.5, last.Fields[1].Value.Float.Value);
        Assert.Equal(2L, last.Version); // the message id, as BanyanDB's liaison sets it
        Assert.Equal(SeriesKey.ComputeSeriesId("cpm", [Banyan.Storage.Values.TagValue.FromString("e1")]), last.Sid);

        request.GroupBy = new MeasureV1.QueryRequest.Types.GroupBy { TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } } };
        request.TagProjection = request.GroupBy.TagProjection;
        request.Agg = new MeasureV1.QueryRequest.Types.Aggregation { Function = AggregationFunction.Sum, FieldName = "total" };
        request.Top = new MeasureV1.QueryRequest.Types.Top { Number = 1, FieldName = "total", FieldValueSort = Sort.Desc };
        MeasureV1.DataPoint top = Assert.Single((await Measures.QueryAsync(request, deadline: Deadline)).DataPoints);
        Assert.Equal(WriteSchemas.Str("e1"), top.TagFamilies[0].Tags[0].Value);
        Assert.Equal(40, Assert.Single(top.Fields).Value.Int.Value);
    }

    [Fact]
    public async Task A_query_with_trace_answers_the_same_points_and_its_spans_down_to_each_shard()
    {
        const string group = "gq-trace";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-10);
        List<MeasureV1.WriteResponse> written = await WriteExchange.MeasureAsync(fixture.Host.Channel,
        [
            WriteSchemas.Point(metadata, 1, t, "e1", 10, 1.5),
            WriteSchemas.Point(null, 2, t.AddMinutes(1), "e2", 30, 2.5),
        ]);
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));
        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = "cpm",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
        };
        MeasureV1.QueryResponse plain = await Measures.QueryAsync(request, deadline: Deadline);
        Assert.Null(plain.Trace);

        request.Trace = true;
        MeasureV1.QueryResponse traced = await Measures.QueryAsync(request, deadline: Deadline);
        Assert.Equal(plain.DataPoints, traced.DataPoints);
        Span root = Assert.Single(traced.Trace.Spans);
        Assert.Equal("measure-query", root.Message);
        Assert.Contains(root.Tags, tag => tag.Key == "response_data_point_count" && tag.Value == "2");
        Assert.Equal(["plan", $"read group {group}", "merge"], root.Children.Select(c => c.Message));
        Span read = root.Children[1];
        Assert.Contains(read.Tags, tag => tag.Key == "segments");
        Assert.NotEmpty(read.Children);
        Assert.All(read.Children, shard =>
        {
            Assert.StartsWith($"shard {group}/", shard.Message, StringComparison.Ordinal);
            Assert.Contains(shard.Tags, tag => tag.Key == "rows");
            Assert.True(shard.Duration > 0);
        });
        Assert.Equal(2, read.Children.Sum(shard => int.Parse(shard.Tags.First(tag => tag.Key == "rows").Value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_query_of_an_unknown_group_or_subject_is_NOT_FOUND()
    {
        RpcException stream = await Assert.ThrowsAsync<RpcException>(() => Streams.QueryAsync(new StreamV1.QueryRequest { Groups = { "gq-no-such-group" }, Name = "log" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, stream.StatusCode);
        Assert.Contains("group 'gq-no-such-group' is not found", stream.Status.Detail, StringComparison.Ordinal);

        RpcException measure = await Assert.ThrowsAsync<RpcException>(() => Measures.QueryAsync(new MeasureV1.QueryRequest { Groups = { "gq-no-such-group" }, Name = "cpm" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, measure.StatusCode);

        await CreateMeasureAsync("gq-notfound");
        RpcException subject = await Assert.ThrowsAsync<RpcException>(() => Measures.QueryAsync(new MeasureV1.QueryRequest { Groups = { "gq-notfound" }, Name = "no_such_measure" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, subject.StatusCode);
        Assert.Contains("no_such_measure", subject.Status.Detail, StringComparison.Ordinal);

        // A stream query of a measure group: the group is not a stream group.
        RpcException kind = await Assert.ThrowsAsync<RpcException>(() => Streams.QueryAsync(new StreamV1.QueryRequest { Groups = { "gq-notfound" }, Name = "cpm" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, kind.StatusCode);

        RpcException noGroup = await Assert.ThrowsAsync<RpcException>(() => Streams.QueryAsync(new StreamV1.QueryRequest { Name = "log" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noGroup.StatusCode);
        Assert.StartsWith("groups: ", noGroup.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_criteria_and_projections_are_INVALID_ARGUMENT_naming_the_field()
    {
        const string group = "gq-invalid";
        await CreateStreamAsync(group);
        await CreateMeasureAsync(group + "-m");
        Criteria criteria = new()
        {
            Le = new LogicalExpression
            {
                Op = LogicalExpression.Types.LogicalOp.And,
                Left = new Criteria { Condition = new Condition { Name = "service", Op = Condition.Types.BinaryOp.Eq, Value = WriteSchemas.Str("svc-a") } },
                Right = new Criteria { Condition = new Condition { Name = "level", Op = Condition.Types.BinaryOp.Eq, Value = WriteSchemas.Str("high") } },
            },
        };
        RpcException badCriteria = await Assert.ThrowsAsync<RpcException>(() => Streams.QueryAsync(new StreamV1.QueryRequest { Groups = { group }, Name = "log", Criteria = criteria }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badCriteria.StatusCode);
        Assert.StartsWith("criteria.le.right.condition.value: tag 'level' is Int", badCriteria.Status.Detail, StringComparison.Ordinal);

        Criteria entityNe = new() { Condition = new Condition { Name = "service", Op = Condition.Types.BinaryOp.Ne, Value = WriteSchemas.Str("svc-a") } };
        RpcException entity = await Assert.ThrowsAsync<RpcException>(() => Streams.QueryAsync(new StreamV1.QueryRequest { Groups = { group }, Name = "log", Criteria = entityNe }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, entity.StatusCode);
        Assert.StartsWith("criteria.condition.op: ", entity.Status.Detail, StringComparison.Ordinal);

        StreamV1.QueryRequest projection = new()
        {
            Groups = { group },
            Name = "log",
            Projection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "searchable", Tags = { "service", "undeclared" } } } },
        };
        RpcException badProjection = await Assert.ThrowsAsync<RpcException>(() => Streams.QueryAsync(projection, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badProjection.StatusCode);
        Assert.StartsWith("projection.tag_families[0].tags[1]: tag 'undeclared' is not declared", badProjection.Status.Detail, StringComparison.Ordinal);

        MeasureV1.QueryRequest measure = new()
        {
            Groups = { group + "-m" },
            Name = "cpm",
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "undeclared" } } } },
        };
        RpcException badTag = await Assert.ThrowsAsync<RpcException>(() => Measures.QueryAsync(measure, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badTag.StatusCode);
        Assert.StartsWith("tag_projection.tag_families[0].tags[0]: ", badTag.Status.Detail, StringComparison.Ordinal);

        measure.TagProjection = null;
        measure.FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total", "undeclared" } };
        RpcException badField = await Assert.ThrowsAsync<RpcException>(() => Measures.QueryAsync(measure, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badField.StatusCode);
        Assert.StartsWith("field_projection.names[1]: field 'undeclared'", badField.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_over_Silo_Query_MaxRowsPerShard_is_RESOURCE_EXHAUSTED()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync("--Silo:Query:MaxRowsPerShard=5");
        const string group = "gq-limit";
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure, shards: 1));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;
        DateTimeOffset t = Now.AddMinutes(-10);
        List<MeasureV1.WriteResponse> written = await WriteExchange.MeasureAsync(host.Channel, Enumerable.Range(0, 6).Select(i => WriteSchemas.Point(i == 0 ? metadata : null, (ulong)i + 1, t.AddSeconds(i), "e" + (i % 2), i)));
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));

        MeasureV1.MeasureService.MeasureServiceClient client = new(host.Channel);
        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = "cpm",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
        };
        RpcException exhausted = await Assert.ThrowsAsync<RpcException>(() => client.QueryAsync(request, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, exhausted.StatusCode);
        Assert.Contains("more than 5 rows", exhausted.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Silo:Query:MaxRowsPerShard", exhausted.Status.Detail, StringComparison.Ordinal);

        // Narrowed to five rows, the same query is answered.
        request.TimeRange.End = Timestamp.FromDateTimeOffset(t.AddSeconds(4));
        Assert.Equal([0L, 1, 2, 3, 4], (await client.QueryAsync(request, deadline: Deadline)).DataPoints.Select(p => p.Fields[0].Value.Int.Value));
    }

    private StreamV1.StreamService.StreamServiceClient Streams => new(fixture.Host.Channel);

    private MeasureV1.MeasureService.MeasureServiceClient Measures => new(fixture.Host.Channel);

    private async Task<Metadata> CreateMeasureAsync(string group)
    {
        RegistryClients registry = new(fixture.Host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        return ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;
    }

    private async Task<Metadata> CreateStreamAsync(string group)
    {
        RegistryClients registry = new(fixture.Host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Stream));
        await registry.CreateAsync(WriteSchemas.Stream(group));
        return ((Banyan.Api.Database.V1.Stream)await registry.GetAsync(WriteSchemas.Stream(group))).Metadata;
    }
}
