using Banyan.Grains.Runtime;

namespace Banyan.Grains.Transport;

/// <summary>The client side of the network transport: HTTP/2 POSTs to gateway endpoints.</summary>
internal sealed class Http2GatewayTransport : IGatewayTransport, IDisposable
{
    private readonly HttpMessageInvoker _client = Http2SiloTransport.CreateClient();

    public Task<ResponseMessage> SendAsync(SiloAddress gateway, RequestMessage request, CancellationToken cancellationToken)
        => Http2SiloTransport.PostAsync(_client, gateway.Host, gateway.GatewayPort, Http2SiloTransport.GatewayPath, request, cancellationToken);

    public void Dispose() => _client.Dispose();
}
