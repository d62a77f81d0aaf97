using System.Collections.Concurrent;
using Banyan.Grains.Runtime;

namespace Banyan.Grains.Transport;

/// <summary>
/// An in-process "network" for test clusters: silos register their addresses; a send encodes the
/// request, decodes it on the other side and does the same with the response, so messages cross
/// exactly the bytes they would cross on a real network.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly ConcurrentDictionary<(string Host, int Port), Endpoint> _endpoints = new();

    internal void Register(SiloAddress self, IMessageHandler handler)
    {
        Endpoint endpoint = new(self, handler);
        _endpoints[(self.Host, self.Port)] = endpoint;
        if (self.GatewayPort != 0)
        {
            _endpoints[(self.Host, self.GatewayPort)] = endpoint with { IsGateway = true };
        }
    }

    internal void Unregister(SiloAddress self)
    {
        foreach (KeyValuePair<(string Host, int Port), Endpoint> entry in _endpoints)
        {
            if (entry.Value.Self == self)
            {
                _endpoints.TryRemove(entry);
            }
        }
    }

    internal async Task<ResponseMessage> SendAsync(string host, int port, RequestMessage request, bool toGateway)
    {
        if (!_endpoints.TryGetValue((host, port), out Endpoint? endpoint) || endpoint.IsGateway != toGateway)
        {
            throw new SiloUnavailableException($"No silo listens on {host}:{port} (in-memory network).");
        }

        // Leave the caller's context (e.g. a grain's scheduler), as a network send would.
        await Task.Yield();
        RequestMessage received = RequestMessage.Decode(request.Encode());
        ResponseMessage response = await endpoint.Handler.HandleAsync(received, toGateway).ConfigureAwait(false);
        return ResponseMessage.Decode(response.Encode());
    }

    private sealed record Endpoint(SiloAddress Self, IMessageHandler Handler)
    {
        public bool IsGateway { get; init; }
    }
}

/// <summary>The silo side of <see cref="InMemoryNetwork"/>.</summary>
internal sealed class InMemorySiloTransport(InMemoryNetwork network) : ISiloTransport, IGatewayTransport
{
    private SiloAddress? _self;

    public Task StartAsync(SiloAddress self, IMessageHandler handler, CancellationToken cancellationToken)
    {
        _self = self;
        network.Register(self, handler);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        if (_self is not null)
        {
            network.Unregister(_self);
        }

        return Task.CompletedTask;
    }

    public Task<ResponseMessage> SendAsync(SiloAddress target, RequestMessage request, CancellationToken cancellationToken)
        => network.SendAsync(target.Host, target.Port, request, toGateway: false);

    Task<ResponseMessage> IGatewayTransport.SendAsync(SiloAddress gateway, RequestMessage request, CancellationToken cancellationToken)
        => network.SendAsync(gateway.Host, gateway.GatewayPort, request, toGateway: true);

    public ValueTask DisposeAsync() => new(StopAsync());
}
