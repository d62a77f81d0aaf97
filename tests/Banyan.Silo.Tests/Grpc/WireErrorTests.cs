using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Grpc.Core;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Grpc;

/// <summary>Bad bytes on the wire: malformed protobuf and oversized messages get a status from gRPC, never a crash, and the silo goes on serving.</summary>
public sealed class WireErrorTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private static readonly Method<byte[], byte[]> s_rawGroupCreate = new(
        MethodType.Unary,
        "banyandb.database.v1.GroupRegistryService",
        "Create",
        Marshallers.Create(b => b, b => b),
        Marshallers.Create(b => b, b => b));

    private static readonly Method<byte[], byte[]> s_rawMeasureWrite = new(
        MethodType.DuplexStreaming,
        "banyandb.measure.v1.MeasureService",
        "Write",
        Marshallers.Create(b => b, b => b),
        Marshallers.Create(b => b, b => b));

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x0A, 0x7F, 0x01 })]
    [InlineData(new byte[] { 0x0A, 0x05, 0x0A, 0x03, 0x12, 0x09, 0x41 })]
    public async Task Malformed_protobuf_is_refused_by_grpc_and_the_silo_keeps_serving(byte[] payload)
    {
        CallInvoker invoker = fixture.Host.Channel.CreateCallInvoker();
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(s_rawGroupCreate, null, new CallOptions(deadline: RegistryClients.Deadline), payload).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("The request is not a valid GroupRegistryServiceCreateRequest message: ", e.Status.Detail, StringComparison.Ordinal);

        GetAPIVersionResponse version = await new Service.ServiceClient(fixture.Host.Channel).GetAPIVersionAsync(new GetAPIVersionRequest(), deadline: RegistryClients.Deadline);
        Assert.Equal("0.10", version.Version.Version);
    }

    [Fact]
    public async Task A_message_over_16_MiB_is_RESOURCE_EXHAUSTED_and_one_just_under_is_served()
    {
        RegistryClients registry = new(fixture.Host.Channel);
        GroupRegistryServiceCreateRequest oversized = new() { Group = new Group { Metadata = new Metadata { Name = new string('x', (16 * 1024 * 1024) + 1) } } };
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => registry.Groups.CreateAsync(oversized, deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);

        // Under the limit the request reaches the registry, which refuses the name for what it is.
        GroupRegistryServiceCreateRequest large = new() { Group = new Group { Metadata = new Metadata { Name = new string('x', 15 * 1024 * 1024) }, Catalog = Catalog.Stream } };
        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => registry.Groups.CreateAsync(large, deadline: RegistryClients.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("group.metadata.name: group name has 15728640 characters", refused.Status.Detail, StringComparison.Ordinal);
    }

    // The write streams read their messages from the HTTP/2 body themselves (PipeMessageReader): the same answers.
    [Fact]
    public async Task A_write_stream_message_that_does_not_decode_is_INVALID_ARGUMENT_and_one_declared_over_16_MiB_RESOURCE_EXHAUSTED()
    {
        CallInvoker invoker = fixture.Host.Channel.CreateCallInvoker();
        RpcException malformed = await WriteOneAsync(invoker, [0xFF, 0xFF, 0xFF, 0xFF]);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.StartsWith("The request is not a valid WriteRequest message: ", malformed.Status.Detail, StringComparison.Ordinal);

        // Only the 5-byte prefix of a message over the limit is sent, and the body is kept open: the status must come
        // from the prefix alone. (Sending the whole message races the silo's answer against its reset of the unread
        // request body, and the client may report CANCELLED.)
        Assert.Equal("8", await DeclareOversizedWriteAsync(fixture.Host.GrpcPort, (16 * 1024 * 1024) + 1)); // RESOURCE_EXHAUSTED

        GetAPIVersionResponse version = await new Service.ServiceClient(fixture.Host.Channel).GetAPIVersionAsync(new GetAPIVersionRequest(), deadline: RegistryClients.Deadline);
        Assert.Equal("0.10", version.Version.Version);
    }

    private static async Task<RpcException> WriteOneAsync(CallInvoker invoker, byte[] message)
    {
        using AsyncDuplexStreamingCall<byte[], byte[]> call = invoker.AsyncDuplexStreamingCall(s_rawMeasureWrite, null, new CallOptions(deadline: RegistryClients.Deadline));

        // The silo may end the call while the message is still being sent: the status then surfaces at the write.
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(message);
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
    }

    // Raw HTTP/2: opens MeasureService/Write, sends the prefix of a message of `length` bytes, waits for the answer.
    private static async Task<string?> DeclareOversizedWriteAsync(int grpcPort, int length)
    {
        using HttpClient http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
        TaskCompletionSource answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using HttpRequestMessage request = new(HttpMethod.Post, $"http://127.0.0.1:{grpcPort}/banyandb.measure.v1.MeasureService/Write")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new PrefixThenWaitContent(length, answered.Task),
        };
        request.Headers.TE.Add(new System.Net.Http.Headers.TransferCodingWithQualityHeaderValue("trailers"));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsByteArrayAsync();
            return response.TrailingHeaders.TryGetValues("grpc-status", out IEnumerable<string>? trailer) ? trailer.First()
                : response.Headers.TryGetValues("grpc-status", out IEnumerable<string>? header) ? header.First() : null;
        }
        finally
        {
            answered.TrySetResult();
        }
    }

    private sealed class PrefixThenWaitContent(int declared, Task answered) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(System.IO.Stream stream, System.Net.TransportContext? context)
        {
            byte[] prefix = new byte[5];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)declared);
            await stream.WriteAsync(prefix);
            await stream.FlushAsync();
            await answered;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
