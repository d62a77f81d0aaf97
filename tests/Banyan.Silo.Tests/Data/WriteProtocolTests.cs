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

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// <c>MeasureService/Write</c> and <c>StreamService/Write</c> through Grpc.Net.Client against a real silo host: one
/// response per message in message order with BanyanDB's status names, metadata carried over and changed mid-stream,
/// every refusal status, the valid elements of the same stream landing (read back through the shard grains).
/// </summary>
public sealed class WriteProtocolTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private static DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    [Fact]
    public async Task A_measure_stream_mixing_valid_and_invalid_points_gets_each_status_and_the_valid_points_land()
    {
        const string group = "w-measure-mixed";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-5);
        Metadata unknown = new() { Group = group, Name = "no_such_measure" };
        Metadata stale = metadata.Clone();
        stale.ModRevision = metadata.ModRevision - 1;

        MeasureV1.WriteRequest notMillis = WriteSchemas.Point(null, 3, t, "e3", 3);
        notMillis.DataPoint.Timestamp = new Timestamp { Seconds = t.ToUnixTimeSeconds(), Nanos = 1_500 };
        MeasureV1.WriteRequest noTimestamp = WriteSchemas.Point(null, 4, t, "e4", 4);
        noTimestamp.DataPoint.Timestamp = null;
        MeasureV1.WriteRequest noFamily = WriteSchemas.Point(null, 5, t, "e5", 5);
        noFamily.DataPoint.TagFamilies.Clear();
        MeasureV1.WriteRequest tooManyFamilies = WriteSchemas.Point(null, 6, t, "e6", 6);
        tooManyFamilies.DataPoint.TagFamilies.Add(new TagFamilyForWrite { Tags = { WriteSchemas.Str("x") } });
        MeasureV1.WriteRequest tooManyTags = WriteSchemas.Point(null, 7, t, "e7", 7);
        tooManyTags.DataPoint.TagFamilies[0].Tags.Add(WriteSchemas.Str("extra"));
        MeasureV1.WriteRequest wrongTagType = WriteSchemas.Point(null, 8, t, "e8", 8);
        wrongTagType.DataPoint.TagFamilies[0].Tags[2] = WriteSchemas.Str("not an int");
        MeasureV1.WriteRequest nullEntity = WriteSchemas.Point(null, 9, t, "e9", 9);
        nullEntity.DataPoint.TagFamilies[0].Tags[1] = WriteSchemas.Null();
        MeasureV1.WriteRequest wrongFieldType = WriteSchemas.Point(null, 10, t, "e10", 10);
        wrongFieldType.DataPoint.Fields[0] = new FieldValue { Str = new Str { Value = "ten" } };
        MeasureV1.WriteRequest missingEntity = WriteSchemas.Point(null, 11, t, "e11", 11);
        missingEntity.DataPoint.TagFamilies[0].Tags.RemoveAt(2);
        missingEntity.DataPoint.TagFamilies[0].Tags.RemoveAt(1);

        List<MeasureV1.WriteRequest> requests =
        [
            WriteSchemas.Point(metadata, 1, t, "e1", 1),
            WriteSchemas.Point(null, 2, t.AddSeconds(1), "e2", 2), // metadata carried over
            notMillis, noTimestamp, noFamily, tooManyFamilies, tooManyTags, wrongTagType, nullEntity, wrongFieldType, missingEntity,
            WriteSchemas.Point(unknown, 12, t, "e12", 12),
            WriteSchemas.Point(null, 13, t, "e13", 13),          // still the unknown measure
            WriteSchemas.Point(stale, 14, t, "e14", 14),
            WriteSchemas.Point(metadata, 15, t.AddDays(-30), "e15", 15), // older than the 7-day TTL: accepted, not stored
            WriteSchemas.Point(null, 16, t.AddSeconds(2), "e16", 16),
        ];

        List<MeasureV1.WriteResponse> responses = await WriteExchange.MeasureAsync(fixture.Host.Channel, requests);

        Assert.Equal([.. Enumerable.Range(1, 16).Select(i => (ulong)i)], responses.Select(r => r.MessageId));
        Assert.Equal(
            [
                "STATUS_SUCCEED", "STATUS_SUCCEED", "STATUS_INVALID_TIMESTAMP", "STATUS_INVALID_TIMESTAMP",
                "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR",
                "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR", "STATUS_INTERNAL_ERROR",
                "STATUS_NOT_FOUND", "STATUS_NOT_FOUND", "STATUS_EXPIRED_SCHEMA", "STATUS_SUCCEED", "STATUS_SUCCEED",
            ],
            responses.Select(r => r.Status));

        // Each response carries the metadata in force for its message (BanyanDB's sendReply).
        Assert.Equal(metadata, responses[1].Metadata);
        Assert.Equal(unknown, responses[12].Metadata);

        List<StoredRow> rows = await StoredRows.ReadAsync(fixture.Host.Grains(), group, "cpm");
        Assert.Equal(["e1", "e2", "e16"], rows.Select(r => (string?)r["default", "entity_id"]));
        Assert.Equal([1L, 2L, 16L], rows.Select(r => (long?)r[null, "total"]));
        Assert.Equal([0.5, 0.5, 0.5], rows.Select(r => (double?)r[null, "value"]));
        Assert.Equal([200L, 200L, 200L], rows.Select(r => (long?)r["default", "code"]));

        // A point written without a version gets its message id as version (BanyanDB's liaison).
        Assert.Equal([1L, 2L, 16L], rows.Select(r => r.Version));
        Assert.Equal(Nanos(t), rows[0].Timestamp);
    }

    [Fact]
    public async Task A_point_without_message_id_or_version_gets_an_id_that_its_response_and_its_version_carry()
    {
        const string group = "w-measure-no-id";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-5);
        MeasureV1.WriteRequest versioned = WriteSchemas.Point(null, 0, t.AddSeconds(2), "n3", 3);
        versioned.DataPoint.Version = 77;
        List<MeasureV1.WriteRequest> requests =
        [
            WriteSchemas.Point(metadata, 0, t, "n1", 1),
            WriteSchemas.Point(null, 0, t.AddSeconds(1), "n2", 2),
            versioned,
        ];

        List<MeasureV1.WriteResponse> responses = await WriteExchange.MeasureAsync(fixture.Host.Channel, requests);

        // BanyanDB's liaison gives such a point an id (the time in nanoseconds), answers with it and stores it as the
        // version; a point with its own version keeps message id 0.
        Assert.All(responses, r => Assert.Equal("STATUS_SUCCEED", r.Status));
        Assert.NotEqual(0UL, responses[0].MessageId);
        Assert.True(responses[1].MessageId > responses[0].MessageId, "the ids the silo gives only grow");
        Assert.Equal(0UL, responses[2].MessageId);
        List<StoredRow> rows = await StoredRows.ReadAsync(fixture.Host.Grains(), group, "cpm");
        Assert.Equal(["n1", "n2", "n3"], rows.Select(r => (string?)r["default", "entity_id"]));
        Assert.Equal([(long)responses[0].MessageId, (long)responses[1].MessageId, 77L], rows.Select(r => r.Version));
    }

    // The stream walks only a point's own fields; the measure grain decodes the inside, so a point malformed there (a tag
    // string that is not UTF-8, inside a well-formed message) is refused alone and the stream goes on.
    [Fact]
    public async Task A_point_malformed_inside_is_refused_alone_and_the_stream_goes_on()
    {
        const string group = "w-measure-malformed";
        Metadata metadata = await CreateMeasureAsync(group);
        DateTimeOffset t = Now.AddMinutes(-5);
        byte[] bad = WriteSchemas.Point(null, 2, t.AddSeconds(1), "AAAA", 2).ToByteArray();
        bad[bad.AsSpan().IndexOf("AAAA"u8)] = 0xC3; // a lead byte followed by 'A': not UTF-8, lengths unchanged
        byte[][] messages = [WriteSchemas.Point(metadata, 1, t, "m1", 1).ToByteArray(), bad, WriteSchemas.Point(null, 3, t.AddSeconds(2), "m3", 3).ToByteArray()];

        Method<byte[], byte[]> write = new(MethodType.DuplexStreaming, "banyandb.measure.v1.MeasureService", "Write", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        using AsyncDuplexStreamingCall<byte[], byte[]> call = fixture.Host.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(write, null, new CallOptions(deadline: RegistryClients.Deadline));
        foreach (byte[] message in messages)
        {
            await call.RequestStream.WriteAsync(message);
        }

        await call.RequestStream.CompleteAsync();
        List<MeasureV1.WriteResponse> responses = [];
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            responses.Add(MeasureV1.WriteResponse.Parser.ParseFrom(call.ResponseStream.Current));
        }

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal([1UL, 2UL, 3UL], responses.Select(r => r.MessageId));
        Assert.Equal(["STATUS_SUCCEED", "STATUS_INTERNAL_ERROR", "STATUS_SUCCEED"], responses.Select(r => r.Status));
        List<StoredRow> rows = await StoredRows.ReadAsync(fixture.Host.Grains(), group, "cpm");
        Assert.Equal(["m1", "m3"], rows.Select(r => (string?)r["default", "entity_id"]));
    }

    [Fact]
    public async Task A_stream_with_specs_and_metadata_changing_mid_stream_writes_each_element_by_the_order_in_force()
    {
        const string group = "w-stream-spec";
        (Metadata log, Metadata other) = await CreateStreamsAsync(group);
        DateTimeOffset t = Now.AddMinutes(-1);

        StreamV1.WriteRequest specFirst = WriteSchemas.Element(null, 3, t.AddSeconds(2), "svc-b", "3");
        specFirst.TagFamilySpec.Add(new StreamV1.TagFamilySpec { Name = "data", TagNames = { "body" } });
        specFirst.TagFamilySpec.Add(new StreamV1.TagFamilySpec { Name = "searchable", TagNames = { "level", "service" } });
        ReorderForSpec(specFirst.Element);
        StreamV1.WriteRequest specSecond = WriteSchemas.Element(null, 4, t.AddSeconds(3), "svc-b", "4");
        ReorderForSpec(specSecond.Element);
        StreamV1.WriteRequest badSpec = WriteSchemas.Element(null, 5, t.AddSeconds(4), "svc-b", "5");
        badSpec.TagFamilySpec.Add(new StreamV1.TagFamilySpec { Name = "searchable", TagNames = { "service", "no_such_tag" } });

        List<StreamV1.WriteRequest> requests =
        [
            WriteSchemas.Element(log, 1, t, "svc-a", "1"),
            WriteSchemas.Element(null, 2, t.AddSeconds(1), "svc-a", "2"),
            specFirst,                                       // spec: data first, then searchable (level, service)
            specSecond,                                      // the spec stays in force
            badSpec,                                         // a spec naming a tag the stream lacks
            WriteSchemas.Element(other, 6, t.AddSeconds(5), "svc-c", "6"), // another stream; the last spec still applies
        ];
        ReorderForSpec(requests[5].Element);
        requests[5].TagFamilySpec.Add(new StreamV1.TagFamilySpec { Name = "data", TagNames = { "body" } });
        requests[5].TagFamilySpec.Add(new StreamV1.TagFamilySpec { Name = "searchable", TagNames = { "level", "service" } });

        List<StreamV1.WriteResponse> responses = await WriteExchange.StreamAsync(fixture.Host.Channel, requests);

        Assert.Equal([1UL, 2, 3, 4, 5, 6], responses.Select(r => r.MessageId));
        Assert.Equal(["STATUS_SUCCEED", "STATUS_SUCCEED", "STATUS_SUCCEED", "STATUS_SUCCEED", "STATUS_INTERNAL_ERROR", "STATUS_SUCCEED"], responses.Select(r => r.Status));
        Assert.Equal(other, responses[5].Metadata);

        List<StoredRow> rows = await StoredRows.ReadAsync(fixture.Host.Grains(), group, "log");
        Assert.Equal(["svc-a", "svc-a", "svc-b", "svc-b"], rows.Select(r => (string?)r["searchable", "service"]));
        Assert.Equal([1L, 1L, 1L, 1L], rows.Select(r => (long?)r["searchable", "level"]));
        Assert.Equal(["body of 1", "body of 2", "body of 3", "body of 4"], rows.Select(r => System.Text.Encoding.UTF8.GetString((byte[])r["data", "body"]!)));

        // Element ids are xxHash64 of group|name|element_id, as BanyanDB stores them.
        Assert.Equal(unchecked((long)Banyan.Storage.Series.StreamElementId.Compute(group, "log", "1")), rows[0].Version);

        List<StoredRow> others = await StoredRows.ReadAsync(fixture.Host.Grains(), group, "audit");
        Assert.Equal(["svc-c"], others.Select(r => (string?)r["searchable", "service"]));
    }

    [Fact]
    public async Task A_first_message_without_metadata_ends_the_stream_with_an_error_and_no_response()
    {
        List<MeasureV1.WriteResponse> responses = [];
        using AsyncDuplexStreamingCall<MeasureV1.WriteRequest, MeasureV1.WriteResponse> call =
            new MeasureV1.MeasureService.MeasureServiceClient(fixture.Host.Channel).Write(deadline: DateTime.UtcNow.AddSeconds(30));
        await call.RequestStream.WriteAsync(WriteSchemas.Point(null, 1, Now, "e", 1));
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                responses.Add(call.ResponseStream.Current);
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("metadata is required for the first request of gRPC stream", error.Status.Detail);
        Assert.Empty(responses);

        RpcException streamError = await Assert.ThrowsAsync<RpcException>(() => WriteExchange.StreamAsync(fixture.Host.Channel, [WriteSchemas.Element(null, 1, Now, "s", "1")]));
        Assert.Equal(StatusCode.InvalidArgument, streamError.StatusCode);
    }

    [Fact]
    public async Task An_unknown_group_is_not_found_and_a_bad_timestamp_is_checked_first()
    {
        Metadata missing = new() { Group = "no-such-group", Name = "cpm" };
        MeasureV1.WriteRequest badTime = WriteSchemas.Point(null, 2, Now, "e", 2);
        badTime.DataPoint.Timestamp = new Timestamp { Seconds = 1, Nanos = 7 };
        List<MeasureV1.WriteResponse> responses = await WriteExchange.MeasureAsync(fixture.Host.Channel, [WriteSchemas.Point(missing, 1, Now, "e", 1), badTime]);
        Assert.Equal(["STATUS_NOT_FOUND", "STATUS_INVALID_TIMESTAMP"], responses.Select(r => r.Status));
    }

    private async Task<Metadata> CreateMeasureAsync(string group)
    {
        RegistryClients registry = new(fixture.Host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        return ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;
    }

    private async Task<(Metadata Log, Metadata Audit)> CreateStreamsAsync(string group)
    {
        RegistryClients registry = new(fixture.Host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Stream));
        Banyan.Api.Database.V1.Stream audit = WriteSchemas.Stream(group);
        audit.Metadata.Name = "audit";
        await registry.CreateAsync(WriteSchemas.Stream(group));
        await registry.CreateAsync(audit);
        return (((Banyan.Api.Database.V1.Stream)await registry.GetAsync(WriteSchemas.Stream(group))).Metadata, ((Banyan.Api.Database.V1.Stream)await registry.GetAsync(audit)).Metadata);
    }

    // Values in the order of the spec [data {body}, searchable {level, service}].
    private static void ReorderForSpec(StreamV1.ElementValue element)
    {
        TagFamilyForWrite searchable = element.TagFamilies[0];
        TagFamilyForWrite data = element.TagFamilies[1];
        element.TagFamilies.Clear();
        element.TagFamilies.Add(data);
        element.TagFamilies.Add(new TagFamilyForWrite { Tags = { searchable.Tags[1], searchable.Tags[0] } });
    }

    private static long Nanos(DateTimeOffset time) => time.ToUnixTimeMilliseconds() * 1_000_000;
}
