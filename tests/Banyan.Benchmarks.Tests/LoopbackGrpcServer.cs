using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.Benchmarks.Tests;

/// <summary>
/// A gRPC server on 127.0.0.1 (a free port, HTTP/2 only) serving one test service, for the load generator's client
/// tests: the service gets the state object the test registers (its record of what it received and how to answer)
/// from the container. Stopped when disposed.
/// </summary>
internal sealed class LoopbackGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackGrpcServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The server's address (http://127.0.0.1:port).</summary>
    public Uri Address { get; }

    /// <summary>Starts a server mapping <typeparamref name="TService"/>, with <paramref name="state"/> registered for it.</summary>
    public static async Task<LoopbackGrpcServer> StartAsync<TService, TState>(TState state)
        where TService : class
        where TState : class
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(state);
        WebApplication app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync();
        Uri address = new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new LoopbackGrpcServer(app, address);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
