using System.Net;
using System.Reflection;
using Banyan.Api.Common.V1;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Banyan.Api.Tests;

/// <summary>
/// Banyan.Api generates server and client stubs for every service, so the silo can implement them and tests and
/// tools can call them with Grpc.Net.Client; and a real call through Kestrel (HTTP/2 on 127.0.0.1) works.
/// </summary>
public sealed class GrpcStubTests
{
    public static TheoryData<string> Services()
    {
        TheoryData<string> data = [];
        foreach (FileDescriptor file in ApiTypes.Files)
        {
            foreach (ServiceDescriptor service in file.Services)
            {
                data.Add(service.FullName);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Service_has_server_base_and_client_with_every_rpc(string serviceName)
    {
        ServiceDescriptor service = ApiTypes.Files.SelectMany(f => f.Services).Single(s => s.FullName == serviceName);
        Type stubs = typeof(ApiVersion).Assembly.GetExportedTypes().Single(t =>
            t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) == service);
        Type serverBase = stubs.GetNestedType($"{service.Name}Base") ?? throw new InvalidOperationException($"{serviceName}: no {service.Name}Base.");
        Type client = stubs.GetNestedType($"{service.Name}Client") ?? throw new InvalidOperationException($"{serviceName}: no {service.Name}Client.");

        foreach (MethodDescriptor method in service.Methods)
        {
            Assert.True(serverBase.GetMethod(method.Name)?.IsVirtual, $"{service.Name}Base lacks a virtual {method.Name}.");
            // Unary RPCs get a blocking and an async call; streaming RPCs only the call object.
            string clientMethod = method.IsClientStreaming || method.IsServerStreaming ? method.Name : method.Name + "Async";
            Assert.True(client.GetMethods().Any(m => m.Name == clientMethod), $"{service.Name}Client lacks {clientMethod}.");
        }
    }

    [Fact]
    public async Task GetAPIVersion_answers_over_grpc()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        await using WebApplication app = builder.Build();
        app.MapGrpcService<ApiVersionService>();
        await app.StartAsync(timeout.Token);
        try
        {
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            using GrpcChannel channel = GrpcChannel.ForAddress(address);
            Service.ServiceClient client = new(channel);

            GetAPIVersionResponse response = await client.GetAPIVersionAsync(
                new GetAPIVersionRequest(),
                deadline: DateTime.UtcNow.AddSeconds(30),
                cancellationToken: timeout.Token);

            Assert.Equal("0.10", response.Version.Version);
            Assert.Equal(ApiVersion.Revision, response.Version.Revision);

            // A service the host does not map answers UNIMPLEMENTED, which is what BanyanDB clients expect to see.
            Banyan.Api.Database.V1.SnapshotService.SnapshotServiceClient unmapped = new(channel);
            RpcException error = await Assert.ThrowsAsync<RpcException>(async () =>
                await unmapped.SnapshotAsync(new(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: timeout.Token));
            Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
