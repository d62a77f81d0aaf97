using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.Tests.Shared.Grpc;

/// <summary>
/// A server on 127.0.0.1 (a free port, no logging) serving test services: the load generator's client tests and the
/// conformance harness's end-to-end tests talk to it over real HTTP/2 (gRPC), or HTTP/1.1 for a plain endpoint such as
/// the measure gateway's. Stopped when disposed.
/// </summary>
internal sealed class LoopbackGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackGrpcServer(WebApplication app)
    {
        _app = app;
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
    }

    /// <summary>The server's address (http://127.0.0.1:port).</summary>
    public Uri Address { get; }

    /// <summary>
    /// Starts a server: <paramref name="register"/> adds what the services need to the container (gRPC is added
    /// already), <paramref name="map"/> maps the services (<c>MapGrpcService</c>, or plain endpoints).
    /// </summary>
    /// <param name="register">Adds the services' dependencies.</param>
    /// <param name="map">Maps the endpoints.</param>
    /// <param name="protocols">
    /// HTTP/2 for gRPC (without TLS a client must speak HTTP/2 from the first byte, which only an HTTP/2-only endpoint
    /// accepts); <see cref="HttpProtocols.Http1"/> for plain HTTP endpoints such as the measure gateway's.
    /// </param>
    /// <param name="cancellationToken">Bounds the start.</param>
    public static async Task<LoopbackGrpcServer> StartAsync(Action<IServiceCollection> register, Action<IEndpointRouteBuilder> map, HttpProtocols protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(map);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = protocols));
        builder.Services.AddGrpc();
        register(builder.Services);
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        return new LoopbackGrpcServer(app);
    }

    /// <summary>Starts a server mapping <typeparamref name="TService"/>, with <paramref name="state"/> registered for it.</summary>
    public static Task<LoopbackGrpcServer> StartAsync<TService, TState>(TState state)
        where TService : class
        where TState : class
        => StartAsync(services => services.AddSingleton(state), endpoints => endpoints.MapGrpcService<TService>(), HttpProtocols.Http2);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
