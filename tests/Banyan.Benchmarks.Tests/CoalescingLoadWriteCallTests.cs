using System.Collections.Concurrent;
using Banyan.Api.Measure.V1;
using Banyan.Benchmarks.Load;
using Google.Protobuf;
using Grpc.Core;

namespace Banyan.Benchmarks.Tests;

/// <summary>
/// The load generator's raw HTTP/2 write client against a real gRPC server (ASP.NET Core, loopback): every message
/// arrives whole and in order whatever the flush boundaries, every response is counted, and a stream the server ends
/// with an error status fails instead of counting as done.
/// </summary>
public sealed class CoalescingLoadWriteCallTests
{
    private const string Succeed = "STATUS_SUCCEED";

    [Fact]
    public async Task Every_message_arrives_in_order_and_every_response_is_counted()
    {
        await using EchoServer server = await EchoServer.StartAsync(failAt: null);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));
        using HttpClient http = CoalescingLoadWriteCall.CreateClient();

        // 100 messages, 7 per write: the last write is a partial one, sent by CompleteAsync.
        WriteResponseTally responses = await WriteAsync(http, server.Address, count: 100, flushEvery: 7, bound.Token);

        Assert.Equal([.. Enumerable.Range(1, 100).Select(i => (ulong)i)], server.Received);
        Assert.Equal(90, responses.Succeeded); // the echo refuses every tenth message
        Assert.Equal(10, responses.Failed);
        Assert.Equal("message 10: STATUS_INVALID_TIMESTAMP", responses.FirstFailure);
    }

    [Theory]
    [InlineData(7)] // every response longer than the buffer: it grows
    [InlineData(64)] // two or three responses a buffer: the rest of one moves to the front
    [InlineData(1 << 16)] // the load's size
    public async Task Responses_cut_by_the_read_buffer_are_counted_whole(int readBufferBytes)
    {
        await using EchoServer server = await EchoServer.StartAsync(failAt: null);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));
        using HttpClient http = CoalescingLoadWriteCall.CreateClient();

        WriteResponseTally responses = await WriteAsync(http, server.Address, count: 2_000, flushEvery: 100, bound.Token, readBufferBytes);

        Assert.Equal(1_800, responses.Succeeded);
        Assert.Equal(200, responses.Failed);
        Assert.Equal("message 10: STATUS_INVALID_TIMESTAMP", responses.FirstFailure);
    }

    [Fact]
    public async Task A_stream_the_server_ends_with_an_error_status_fails()
    {
        await using EchoServer server = await EchoServer.StartAsync(failAt: 5);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));
        using HttpClient http = CoalescingLoadWriteCall.CreateClient();

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(http, server.Address, count: 5, flushEvery: 2, bound.Token));

        Assert.Contains("grpc-status 8", error.Message, StringComparison.Ordinal);
        Assert.Contains("message 5 is too big", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prepared_client_sends_the_messages_the_coalescing_client_sends()
    {
        // 31 series x 7 points on 3 streams, 5 messages per write: the streams' last writes are partial ones.
        PeerDataset dataset = new(series: 31, points: 7);
        List<byte[]> prepared = await ReceivedThroughLoadWriterAsync(dataset, LoadClient.Prepared);
        List<byte[]> coalescing = await ReceivedThroughLoadWriterAsync(dataset, LoadClient.Coalescing);

        Assert.Equal(31 * 7, prepared.Count);
        Assert.Equal(coalescing.Count, prepared.Count);
        for (int i = 0; i < prepared.Count; i++)
        {
            Assert.True(prepared[i].AsSpan().SequenceEqual(coalescing[i]), $"message {i} differs");
        }
    }

    [Theory]
    [InlineData(LoadClient.Prepared)]
    [InlineData(LoadClient.Coalescing)]
    public async Task The_warm_up_writes_name_the_warm_up_group_and_only_it(LoadClient client)
    {
        // load --write-warmup writes into a group of its own and deletes it: a message naming the timed group would
        // leave its points in the data the timed phase is checked and measured on.
        PeerDataset dataset = new(series: 31, points: 7, seed: 43);
        List<byte[]> received = await ReceivedThroughLoadWriterAsync(dataset, client, PeerSchema.WarmupGroup);

        WriteRequest[] requests = [.. received.Select(bytes => WriteRequest.Parser.ParseFrom(bytes))];
        Assert.Equal(31 * 7, requests.Length);
        WriteRequest[] withMetadata = [.. requests.Where(r => r.Metadata is not null)];
        Assert.NotEmpty(withMetadata);
        Assert.All(withMetadata, r => Assert.Equal(PeerSchema.WarmupGroup, r.Metadata.Group));
        Assert.Equal(PeerDataset.Metrics.Order(StringComparer.Ordinal), withMetadata.Select(r => r.Metadata.Name).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_warm_up_group_holds_the_timed_groups_schemas_under_its_own_name()
    {
        Assert.NotEqual(PeerSchema.Group, PeerSchema.WarmupGroup);
        Assert.Equal(PeerSchema.WarmupGroup, PeerSchema.GroupSchema(2, 30, PeerSchema.WarmupGroup).Metadata.Name);
        foreach (PeerMetricKind kind in Enum.GetValues<PeerMetricKind>())
        {
            Banyan.Api.Database.V1.Measure timed = PeerSchema.MeasureSchema(kind);
            Banyan.Api.Database.V1.Measure warm = PeerSchema.MeasureSchema(kind, PeerSchema.WarmupGroup);
            Assert.Equal(PeerSchema.WarmupGroup, warm.Metadata.Group);
            warm.Metadata.Group = timed.Metadata.Group;
            Assert.Equal(timed, warm); // the same write path: tags, entity, field and its encoding
        }

        Banyan.Api.Database.V1.TopNAggregation topN = PeerSchema.TopNSchema(7, PeerSchema.WarmupGroup);
        Assert.Equal(PeerSchema.WarmupGroup, topN.Metadata.Group);
        Assert.Equal(PeerSchema.WarmupGroup, topN.SourceMeasure.Group);
        Assert.Equal(7, LoadOptions.Parse(["--write-warmup", "7"]).WriteWarmup);
        Assert.Equal(0, LoadOptions.Parse([]).WriteWarmup);
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--write-warmup", "-1"]));
    }

    [Fact]
    public void A_response_is_counted_from_its_bytes_as_its_parsed_message_is()
    {
        WriteResponse[] responses =
        [
            new() { MessageId = 1, Status = Succeed, Metadata = new Banyan.Api.Common.V1.Metadata { Group = "g", Name = "m" } },
            new() { MessageId = 0, Status = Succeed }, // message id 0 is not written
            new() { MessageId = ulong.MaxValue, Status = Succeed },
            new() { MessageId = 2, Status = "STATUS_SUCCEEDED" },
            new() { MessageId = 3, Status = "STATUS_SUCCEE" },
            new() { MessageId = 4, Status = "STATUS_INVALID_TIMESTAMP" },
            new() { MessageId = 5 }, // no status at all
            new() { Status = Succeed, Metadata = new Banyan.Api.Common.V1.Metadata { Group = "STATUS_SUCCEED", Name = "m" } }, // id 0: status first
        ];

        WriteResponseTally fromBytes = new();
        WriteResponseTally fromSplitBytes = new();
        WriteResponseTally parsed = new();
        foreach (WriteResponse response in responses)
        {
            byte[] bytes = response.ToByteArray();
            fromBytes.Add(bytes.AsSpan());
            fromSplitBytes.Add(InTwoSegments(bytes));
            parsed.Add(response);
        }

        Assert.Equal(4, fromBytes.Succeeded);
        Assert.Equal(4, fromBytes.Failed);
        Assert.Equal("message 2: STATUS_SUCCEEDED", fromBytes.FirstFailure);
        Assert.Equal((parsed.Succeeded, parsed.Failed, parsed.FirstFailure), (fromBytes.Succeeded, fromBytes.Failed, fromBytes.FirstFailure));
        Assert.Equal((parsed.Succeeded, parsed.Failed, parsed.FirstFailure), (fromSplitBytes.Succeeded, fromSplitBytes.Failed, fromSplitBytes.FirstFailure));
    }

    // The bytes as a sequence of two segments cut in the middle (a message that arrived in two reads).
    private static System.Buffers.ReadOnlySequence<byte> InTwoSegments(byte[] bytes)
    {
        int half = bytes.Length / 2;
        Segment first = new(bytes.AsMemory(0, half), 0);
        Segment second = new(bytes.AsMemory(half), half);
        first.Next = second;
        return new System.Buffers.ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    // What the echo server received from a LoadWriter with this client, as each request's bytes: call by call (ordered by
    // their first message, which differs from stream to stream: its first series), each in the order it arrived.
    private static async Task<List<byte[]>> ReceivedThroughLoadWriterAsync(PeerDataset dataset, LoadClient client, string group = PeerSchema.Group)
    {
        await using EchoServer server = await EchoServer.StartAsync(failAt: null);
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));
        using Grpc.Net.Client.GrpcChannel channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);
        LoadWriter writer = new(dataset, streams: 3, client, flushEvery: 5, group);
        writer.Prepare();

        LoadWriteResult result = await writer.WriteAsync(channel, server.Address, bound.Token);

        Assert.Equal(dataset.Samples, result.Sent);
        Assert.Equal(result.Sent, result.Succeeded + result.Failed);
        Assert.Equal(server.Calls.Sum(call => call.Count / 10), result.Failed); // the echo refuses every tenth message id of a call
        return [.. server.Calls.OrderBy(call => Convert.ToHexString(call[0]), StringComparer.Ordinal).SelectMany(call => call)];
    }

    private static async Task<WriteResponseTally> WriteAsync(HttpClient http, Uri address, int count, int flushEvery, CancellationToken cancellationToken, int readBufferBytes = 1 << 16)
    {
        await using CoalescingLoadWriteCall call = new(http, address, flushEvery, cancellationToken, readBufferBytes);
        Task<WriteResponseTally> reading = call.ReadResponsesAsync(cancellationToken);
        for (int i = 1; i <= count; i++)
        {
            await call.WriteAsync(new WriteRequest { MessageId = (ulong)i, Metadata = i == 1 ? new Banyan.Api.Common.V1.Metadata { Group = "g", Name = "m" } : null }, cancellationToken);
        }

        await call.CompleteAsync();
        return await reading;
    }

    // Answers each message with its id: STATUS_SUCCEED, or STATUS_INVALID_TIMESTAMP for every tenth; ends the call with
    // RESOURCE_EXHAUSTED at message failAt.
    private sealed class EchoService(EchoServer server) : MeasureService.MeasureServiceBase
    {
        public override async Task Write(IAsyncStreamReader<WriteRequest> requestStream, IServerStreamWriter<WriteResponse> responseStream, ServerCallContext context)
        {
            List<byte[]> call = [];
            server.Calls.Enqueue(call);
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                ulong id = requestStream.Current.MessageId;
                server.Received.Enqueue(id);
                call.Add(requestStream.Current.ToByteArray());
                if (id == server.FailAt)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, $"message {id} is too big"));
                }

                await responseStream.WriteAsync(new WriteResponse { MessageId = id, Status = id % 10 == 0 ? "STATUS_INVALID_TIMESTAMP" : Succeed });
            }
        }
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Segment? Next
        {
            get => (Segment?)base.Next;
            set => base.Next = value;
        }
    }

    private sealed class EchoServer : IAsyncDisposable
    {
        private LoopbackGrpcServer? _server;

        public ulong? FailAt { get; private init; }

        public ConcurrentQueue<ulong> Received { get; } = new();

        // Each call's requests as bytes, in the order they arrived.
        public ConcurrentQueue<List<byte[]>> Calls { get; } = new();

        public Uri Address => _server!.Address;

        public static async Task<EchoServer> StartAsync(ulong? failAt)
        {
            EchoServer server = new() { FailAt = failAt };
            server._server = await LoopbackGrpcServer.StartAsync<EchoService, EchoServer>(server);
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
