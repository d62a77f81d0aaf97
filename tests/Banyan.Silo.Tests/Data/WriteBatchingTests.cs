using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// The host cuts a write stream into many grain calls (here at most 7 messages each, many in flight at once) and still
/// answers every message exactly once, in message order, with its own status; every accepted point is stored.
/// </summary>
public sealed class WriteBatchingTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task Responses_come_one_per_message_in_order_when_batches_are_cut(int maxMessages)
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync($"--Silo:WriteBatching:MaxMessages={maxMessages}", "--Silo:WriteBatching:MaxInFlight=4");
        const string group = "w-batching";
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure, shards: 3));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;

        const int count = 2_500;
        DateTimeOffset start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddHours(-1);
        List<MeasureV1.WriteRequest> requests = [];
        for (int i = 0; i < count; i++)
        {
            MeasureV1.WriteRequest request = WriteSchemas.Point(i % 500 == 0 ? metadata : null, (ulong)(i + 1), start.AddMilliseconds(i), "e" + (i % 40), i);
            if (i % 97 == 13)
            {
                request.DataPoint.Timestamp = new Timestamp { Seconds = request.DataPoint.Timestamp.Seconds, Nanos = request.DataPoint.Timestamp.Nanos + 1 };
            }

            requests.Add(request);
        }

        List<MeasureV1.WriteResponse> responses = await WriteExchange.MeasureAsync(host.Channel, requests);

        Assert.Equal(count, responses.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal((ulong)(i + 1), responses[i].MessageId);
            Assert.Equal(i % 97 == 13 ? "STATUS_INVALID_TIMESTAMP" : "STATUS_SUCCEED", responses[i].Status);
        }

        List<StoredRow> rows = await StoredRows.ReadAsync(host.Grains(), group, "cpm");
        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 97 != 13).Select(i => (long)i), rows.Select(r => (long)r[null, "total"]!).Order());
    }

    // Several streams write one measure at once, in small batches, with refused elements among them: whether their batches
    // share grain calls (the default) or not, every stream gets exactly its own statuses, in its message order, and every
    // accepted point of every stream is stored once.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concurrent_streams_to_one_measure_each_get_their_own_statuses(bool joinStreams)
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync("--Silo:WriteBatching:MaxMessages=7", "--Silo:WriteBatching:MaxInFlight=4", $"--Silo:WriteBatching:JoinStreams={joinStreams}");
        const string group = "w-joined";
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure, shards: 2));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;

        const int streams = 6, perStream = 600;
        DateTimeOffset start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddHours(-1);
        static bool Refused(int stream, int i) => (i + stream) % 53 == 7;
        List<MeasureV1.WriteRequest> RequestsOf(int stream)
        {
            List<MeasureV1.WriteRequest> requests = [];
            for (int i = 0; i < perStream; i++)
            {
                // Message ids repeat across streams (each stream numbers its own): the answers must not mix them up.
                MeasureV1.WriteRequest request = WriteSchemas.Point(i == 0 ? metadata : null, (ulong)(i + 1), start.AddMilliseconds(i), $"s{stream}-e{i % 30}", (stream * 100_000) + i);
                if (Refused(stream, i))
                {
                    request.DataPoint.Timestamp = new Timestamp { Seconds = request.DataPoint.Timestamp.Seconds, Nanos = request.DataPoint.Timestamp.Nanos + 1 };
                }

                requests.Add(request);
            }

            return requests;
        }

        List<MeasureV1.WriteResponse>[] answers = await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(() => WriteExchange.MeasureAsync(host.Channel, RequestsOf(s)))));

        for (int s = 0; s < streams; s++)
        {
            Assert.Equal(perStream, answers[s].Count);
            for (int i = 0; i < perStream; i++)
            {
                Assert.Equal((ulong)(i + 1), answers[s][i].MessageId);
                Assert.Equal(Refused(s, i) ? "STATUS_INVALID_TIMESTAMP" : "STATUS_SUCCEED", answers[s][i].Status);
            }
        }

        List<StoredRow> rows = await StoredRows.ReadAsync(host.Grains(), group, "cpm");
        long[] expected = [.. Enumerable.Range(0, streams).SelectMany(s => Enumerable.Range(0, perStream).Where(i => !Refused(s, i)).Select(i => (long)((s * 100_000) + i)))];
        Assert.Equal(expected.Order(), rows.Select(r => (long)r[null, "total"]!).Order());
    }

    // The same for a stream: concurrent write streams to one stream each get their own statuses, and every accepted
    // element of every write stream is stored once.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concurrent_streams_to_one_stream_each_get_their_own_statuses(bool joinStreams)
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync("--Silo:WriteBatching:MaxMessages=5", "--Silo:WriteBatching:MaxInFlight=4", $"--Silo:WriteBatching:JoinStreams={joinStreams}");
        const string group = "w-joined-log";
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Stream, shards: 2));
        await registry.CreateAsync(WriteSchemas.Stream(group));
        Metadata metadata = ((Banyan.Api.Database.V1.Stream)await registry.GetAsync(WriteSchemas.Stream(group))).Metadata;

        const int streams = 5, perStream = 400;
        DateTimeOffset start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddHours(-1);
        static bool Refused(int stream, int i) => (i + stream) % 37 == 5;
        List<StreamV1.WriteRequest> RequestsOf(int stream)
        {
            List<StreamV1.WriteRequest> requests = [];
            for (int i = 0; i < perStream; i++)
            {
                StreamV1.WriteRequest request = WriteSchemas.Element(i == 0 ? metadata : null, (ulong)(i + 1), start.AddMilliseconds(i), $"svc-{stream}", $"{stream}-{i}", level: i);
                if (Refused(stream, i))
                {
                    request.Element.Timestamp = new Timestamp { Seconds = request.Element.Timestamp.Seconds, Nanos = request.Element.Timestamp.Nanos + 1 };
                }

                requests.Add(request);
            }

            return requests;
        }

        List<StreamV1.WriteResponse>[] answers = await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(() => WriteExchange.StreamAsync(host.Channel, RequestsOf(s)))));

        for (int s = 0; s < streams; s++)
        {
            Assert.Equal(perStream, answers[s].Count);
            for (int i = 0; i < perStream; i++)
            {
                Assert.Equal((ulong)(i + 1), answers[s][i].MessageId);
                Assert.Equal(Refused(s, i) ? "STATUS_INVALID_TIMESTAMP" : "STATUS_SUCCEED", answers[s][i].Status);
            }
        }

        List<StoredRow> rows = await StoredRows.ReadAsync(host.Grains(), group, "log");
        string[] expected = [.. Enumerable.Range(0, streams).SelectMany(s => Enumerable.Range(0, perStream).Where(i => !Refused(s, i)).Select(i => $"svc-{s}/{i}"))];
        Assert.Equal(expected.Order(), rows.Select(r => $"{r["searchable", "service"]}/{r["searchable", "level"]}").Order());
    }
}
