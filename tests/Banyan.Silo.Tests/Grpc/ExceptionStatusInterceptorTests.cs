using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.Silo.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace Banyan.Silo.Tests.Grpc;

/// <summary>The one exception-to-status table and the interceptor that applies it to every kind of call.</summary>
public sealed class ExceptionStatusInterceptorTests
{
    public static TheoryData<Exception, StatusCode> Mapping => new()
    {
        { new SchemaValidationException("stream.entity", "is required"), StatusCode.InvalidArgument },
        { new SchemaNotFoundException(SchemaKey.ForGroup("g")), StatusCode.NotFound },
        { new SchemaAlreadyExistsException(SchemaKey.ForGroup("g")), StatusCode.AlreadyExists },
        { new ShardUnavailableException("g/2026120100/1", "node-1"), StatusCode.Unavailable },
        { new SiloUnavailableException("gone"), StatusCode.Unavailable },
        { new TimeoutException("slow"), StatusCode.Unavailable },
        { new NotSupportedException("data_only: not yet"), StatusCode.Unimplemented },
        { new SchemaCatalogCorruptionException(4, "truncated"), StatusCode.Internal },
        { new Banyan.Storage.StorageCorruptionException("/data/g/seg-2026120203/shard-0/wal/0000000000000002.wal", 0, "file header magic is not \"BWAL\""), StatusCode.DataLoss },
        { new Banyan.Storage.StorageFullException("/data/g/seg-2026120203/shard-0/wal/0000000000000002.wal", new IOException("No space left on device")), StatusCode.ResourceExhausted },
        { new ShardDiskFullException("Shard 'g/2026120203/0': disk full"), StatusCode.ResourceExhausted },
        { new InvalidOperationException("boom"), StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Mapping))]
    public async Task Exceptions_become_their_status_with_the_message(Exception exception, StatusCode code)
    {
        ExceptionStatusInterceptor interceptor = new(NullLogger<ExceptionStatusInterceptor>.Instance);
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", new TestCallContext(), (_, _) => throw exception));
        Assert.Equal(code, e.StatusCode);
        Assert.Contains(exception.Message, e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unexpected_exceptions_are_INTERNAL_with_their_type_and_message_on_every_kind_of_call()
    {
        ExceptionStatusInterceptor interceptor = new(NullLogger<ExceptionStatusInterceptor>.Instance);
        TestCallContext context = new();
        InvalidOperationException boom = new("boom");
        RpcException unary = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("r", context, (_, _) => Task.FromException<string>(boom)));
        RpcException clientStreaming = await Assert.ThrowsAsync<RpcException>(() => interceptor.ClientStreamingServerHandler<string, string>(null!, context, (_, _) => Task.FromException<string>(boom)));
        RpcException serverStreaming = await Assert.ThrowsAsync<RpcException>(() => interceptor.ServerStreamingServerHandler<string, string>("r", null!, context, (_, _, _) => Task.FromException(boom)));
        RpcException duplex = await Assert.ThrowsAsync<RpcException>(() => interceptor.DuplexStreamingServerHandler<string, string>(null!, null!, context, (_, _, _) => Task.FromException(boom)));
        foreach (RpcException e in new[] { unary, clientStreaming, serverStreaming, duplex })
        {
            Assert.Equal(StatusCode.Internal, e.StatusCode);
            Assert.Equal("Internal error (InvalidOperationException): boom", e.Status.Detail);
        }
    }

    [Fact]
    public async Task A_status_a_service_throws_itself_passes_unchanged_and_a_cancelled_call_is_CANCELLED()
    {
        ExceptionStatusInterceptor interceptor = new(NullLogger<ExceptionStatusInterceptor>.Instance);
        RpcException own = new(new Status(StatusCode.FailedPrecondition, "not now"));
        Assert.Same(own, await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("r", new TestCallContext(), (_, _) => throw own)));

        using CancellationTokenSource cancelled = new();
        await cancelled.CancelAsync();
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("r", new TestCallContext(cancelled.Token), (_, _) => throw new OperationCanceledException(cancelled.Token)));
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
    }

    private sealed class TestCallContext(CancellationToken cancellationToken = default) : ServerCallContext
    {
        protected override string MethodCore => "/test.Service/Call";

        protected override string HostCore => "127.0.0.1";

        protected override string PeerCore => "ipv4:127.0.0.1:1";

        protected override DateTime DeadlineCore => DateTime.MaxValue;

        protected override global::Grpc.Core.Metadata RequestHeadersCore { get; } = [];

        protected override CancellationToken CancellationTokenCore => cancellationToken;

        protected override global::Grpc.Core.Metadata ResponseTrailersCore { get; } = [];

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore { get; } = new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(global::Grpc.Core.Metadata responseHeaders) => Task.CompletedTask;
    }
}
