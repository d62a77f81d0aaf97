using Grpc.Core;

namespace Banyan.Silo.Gateway;

/// <summary>
/// The <see cref="ServerCallContext"/> a gRPC service method gets when the HTTP gateway calls it: the method's name, the
/// HTTP request's peer and cancellation (the client going away cancels the call), no deadline, no request headers.
/// The services read only the cancellation token; the rest is what a call context must answer.
/// </summary>
internal sealed class GatewayCallContext(HttpContext http, string method) : ServerCallContext
{
    private readonly global::Grpc.Core.Metadata _requestHeaders = [];
    private readonly global::Grpc.Core.Metadata _responseTrailers = [];
    private readonly AuthContext _authContext = new(null, []);

    /// <inheritdoc/>
    protected override string MethodCore => method;

    /// <inheritdoc/>
    protected override string HostCore => http.Request.Host.Value ?? string.Empty;

    /// <inheritdoc/>
    protected override string PeerCore => http.Connection.RemoteIpAddress is { } address
        ? $"{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4")}:{address}:{http.Connection.RemotePort}"
        : "unknown";

    /// <inheritdoc/>
    protected override DateTime DeadlineCore => DateTime.MaxValue;

    /// <inheritdoc/>
    protected override global::Grpc.Core.Metadata RequestHeadersCore => _requestHeaders;

    /// <inheritdoc/>
    protected override CancellationToken CancellationTokenCore => http.RequestAborted;

    /// <inheritdoc/>
    protected override global::Grpc.Core.Metadata ResponseTrailersCore => _responseTrailers;

    /// <inheritdoc/>
    protected override Status StatusCore { get; set; }

    /// <inheritdoc/>
    protected override WriteOptions? WriteOptionsCore { get; set; }

    /// <inheritdoc/>
    protected override AuthContext AuthContextCore => _authContext;

    /// <inheritdoc/>
    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException($"{method} over the HTTP gateway cannot propagate its call to another gRPC call.");

    /// <inheritdoc/>
    protected override Task WriteResponseHeadersAsyncCore(global::Grpc.Core.Metadata responseHeaders) => Task.CompletedTask;
}
