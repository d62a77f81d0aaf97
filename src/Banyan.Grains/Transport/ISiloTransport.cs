using Banyan.Grains.Runtime;

namespace Banyan.Grains.Transport;

/// <summary>Receives requests arriving at a silo.</summary>
internal interface IMessageHandler
{
    /// <summary>Handles a request; <paramref name="fromClient"/> is true for requests that came through the gateway endpoint.</summary>
    Task<ResponseMessage> HandleAsync(RequestMessage request, bool fromClient);
}

/// <summary>Moves encoded requests and responses between silos, and from clients to gateways.</summary>
internal interface ISiloTransport : IAsyncDisposable
{
    /// <summary>Starts listening for <paramref name="self"/>; the silo and gateway ports of the address are bound.</summary>
    Task StartAsync(SiloAddress self, IMessageHandler handler, CancellationToken cancellationToken);

    /// <summary>Stops listening; in-flight requests fail with <see cref="SiloUnavailableException"/> at their senders.</summary>
    Task StopAsync();

    /// <summary>Sends to a silo's silo port; throws <see cref="SiloUnavailableException"/> when it cannot be reached.</summary>
    Task<ResponseMessage> SendAsync(SiloAddress target, RequestMessage request, CancellationToken cancellationToken);
}

/// <summary>Sends requests from a client to gateways.</summary>
internal interface IGatewayTransport
{
    /// <summary>Sends to a gateway; throws <see cref="SiloUnavailableException"/> when it cannot be reached.</summary>
    Task<ResponseMessage> SendAsync(SiloAddress gateway, RequestMessage request, CancellationToken cancellationToken);
}
