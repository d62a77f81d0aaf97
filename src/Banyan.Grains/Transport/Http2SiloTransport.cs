using System.Net;
using Banyan.Grains.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Transport;

/// <summary>
/// Network transport: each request is one HTTP/2 POST (cleartext, prior knowledge) whose body is
/// the encoded <see cref="RequestMessage"/> and whose response body is the encoded
/// <see cref="ResponseMessage"/>. Kestrel listens on the silo port and the gateway port; one
/// <see cref="HttpClient"/> multiplexes all outgoing requests over HTTP/2 connections.
/// </summary>
internal sealed class Http2SiloTransport(IOptions<EndpointOptions> endpointOptions, ILoggerFactory loggerFactory) : ISiloTransport, IGatewayTransport
{
    internal const string SiloPath = "/banyan/silo";
    internal const string GatewayPath = "/banyan/gateway";

    private readonly HttpMessageInvoker _client = CreateClient();
    private readonly ILogger _logger = loggerFactory.CreateLogger<Http2SiloTransport>();
    private WebApplication? _server;

    public async Task StartAsync(SiloAddress self, IMessageHandler handler, CancellationToken cancellationToken)
    {
        EndpointOptions options = endpointOptions.Value;
        IPAddress listen = options.ListenIPAddress ?? options.AdvertisedIPAddress;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 256L * 1024 * 1024;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(listen, options.SiloPort, l => l.Protocols = HttpProtocols.Http2);
            if (options.GatewayPort != 0)
            {
                kestrel.Listen(listen, options.GatewayPort, l => l.Protocols = HttpProtocols.Http2);
            }
        });
        WebApplication app = builder.Build();
        app.MapPost(SiloPath, context => ServeAsync(context, handler, fromClient: false));
        if (options.GatewayPort != 0)
        {
            app.MapPost(GatewayPath, context => ServeAsync(context, handler, fromClient: true));
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _server = app;
    }

    private async Task ServeAsync(HttpContext context, IMessageHandler handler, bool fromClient)
    {
        int port = context.Connection.LocalPort;
        EndpointOptions options = endpointOptions.Value;
        if ((fromClient && port != options.GatewayPort) || (!fromClient && port != options.SiloPort))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        byte[] body = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        ResponseMessage response;
        try
        {
            response = await handler.HandleAsync(RequestMessage.Decode(body), fromClient).ConfigureAwait(false);
        }
        catch (WireFormatException e)
        {
            _logger.LogWarning(e, "Rejected a malformed request from {Remote}", context.Connection.RemoteIpAddress);
            response = ResponseMessage.FromException(e);
        }

        byte[] encoded = response.Encode();
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = encoded.Length;
        await context.Response.Body.WriteAsync(encoded, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is long length and <= int.MaxValue)
        {
            byte[] buffer = new byte[length];
            await request.Body.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }

        using MemoryStream stream = new();
        await request.Body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        return stream.ToArray();
    }

    public async Task StopAsync()
    {
        WebApplication? server = Interlocked.Exchange(ref _server, null);
        if (server is not null)
        {
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task<ResponseMessage> SendAsync(SiloAddress target, RequestMessage request, CancellationToken cancellationToken)
        => PostAsync(target.Host, target.Port, SiloPath, request, cancellationToken);

    Task<ResponseMessage> IGatewayTransport.SendAsync(SiloAddress gateway, RequestMessage request, CancellationToken cancellationToken)
        => PostAsync(gateway.Host, gateway.GatewayPort, GatewayPath, request, cancellationToken);

    internal static HttpMessageInvoker CreateClient() => new(new SocketsHttpHandler
    {
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        InitialHttp2StreamWindowSize = 2 * 1024 * 1024,
        UseProxy = false,
    });

    internal Task<ResponseMessage> PostAsync(string host, int port, string path, RequestMessage request, CancellationToken cancellationToken)
        => PostAsync(_client, host, port, path, request, cancellationToken);

    internal static async Task<ResponseMessage> PostAsync(HttpMessageInvoker client, string host, int port, string path, RequestMessage request, CancellationToken cancellationToken)
    {
        using HttpRequestMessage message = new(HttpMethod.Post, new Uri($"http://{host}:{port}{path}"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(request.Encode()),
        };
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            // Nothing was sent: the request cannot have run, so callers may route or retry it.
            throw new SiloUnavailableException($"Silo at {host}:{port} cannot be reached: {e.Message}", e);
        }
        catch (Exception e) when ((e is HttpRequestException or IOException) && ProvesNotProcessed(e))
        {
            throw new SiloUnavailableException($"Silo at {host}:{port} closed the connection without processing the request: {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new SiloUnavailableException($"Connection to silo at {host}:{port} failed after the request was sent: {e.Message}", e, requestMayHaveRun: true);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new SiloUnavailableException($"Silo at {host}:{port} answered HTTP {(int)response.StatusCode} on {path}.");
            }

            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new SiloUnavailableException($"Connection to silo at {host}:{port} broke while reading the response: {e.Message}", e, requestMayHaveRun: true);
            }

            return ResponseMessage.Decode(body);
        }
    }

    /// <summary>
    /// True when a failure before any response header arrived proves the server never processed the
    /// request, so it is safe to route again (RFC 9113 §8.7):
    /// <list type="bullet">
    /// <item>REFUSED_STREAM: "the stream was closed prior to any processing having occurred".</item>
    /// <item>A connection closed after a graceful GOAWAY (error code NO_ERROR). In a graceful shutdown
    /// (RFC 9113 §6.8) the server finishes every stream up to the GOAWAY's last-stream-id before it
    /// closes the connection, and ignores the streams above it; a server that gives up on accepted
    /// streams aborts with an error code instead (Kestrel sends INTERNAL_ERROR). So a request still
    /// without response headers when a NO_ERROR close ends the connection was above last-stream-id.
    /// SocketsHttpHandler retries such streams itself when the GOAWAY names them, but a request that
    /// was being put on the connection while the GOAWAY was read escapes that retry and fails with
    /// the NO_ERROR close: this is what a call made right after a silo was killed meets on a pooled
    /// connection.</item>
    /// </list>
    /// Any other protocol error code, or a reset or EOF without GOAWAY, may follow processing.
    /// </summary>
    internal static bool ProvesNotProcessed(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException protocol)
            {
                return protocol.ErrorCode is Http2NoError or Http2RefusedStream;
            }
        }

        return false;
    }

    private const long Http2NoError = 0x0;
    private const long Http2RefusedStream = 0x7;

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}
