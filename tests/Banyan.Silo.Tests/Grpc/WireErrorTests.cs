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
}
