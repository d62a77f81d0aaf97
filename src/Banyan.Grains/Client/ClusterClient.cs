using Banyan.Grains.Invocation;
using Banyan.Grains.Runtime;
using Banyan.Grains.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Client;

/// <summary>
/// A client outside the silos: sends each call to a gateway silo, which routes it. It sticks to one
/// gateway while it answers; when a gateway cannot be reached, the client moves on to the next one
/// (re-reading the gateway list) and retries the call until the response timeout. Retrying is safe
/// because a call the gateway could not be reached for was never delivered.
/// </summary>
internal sealed class ClusterClient : IClusterClient, IGrainCallInvoker
{
    private readonly IGatewayListProvider _gateways;
    private readonly IGatewayTransport _transport;
    private readonly ClientMessagingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GrainReferenceFactory _factory;
    private SiloAddress? _current;

    public ClusterClient(IServiceProvider services, IGatewayListProvider gateways, IGatewayTransport transport, IOptions<ClientMessagingOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ServiceProvider = services;
        _gateways = gateways;
        _transport = transport;
        _options = options.Value;
        _time = time;
        _logger = loggerFactory.CreateLogger<ClusterClient>();
        _factory = new GrainReferenceFactory(this);
    }

    public IServiceProvider ServiceProvider { get; }

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
        => _factory.GetGrain<TGrainInterface>(primaryKey);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey
        => _factory.GetGrain<TGrainInterface>(primaryKey);

    public Task<byte[]?> InvokeAsync(GrainProxy target, GrainMethodDescriptor method, byte[] arguments)
    {
        RequestMessage request = SiloRuntime.CreateRequest(target, method, arguments, origin: null);
        return SiloRuntime.CallAsync(request, method, target, _options.ResponseTimeout, _time, SendWithRetryAsync);
    }

    private async Task<ResponseMessage> SendWithRetryAsync(RequestMessage request)
    {
        long deadline = _time.GetTimestamp() + (long)(_options.ResponseTimeout.TotalSeconds * _time.TimestampFrequency);
        Exception? last = null;
        while (true)
        {
            SiloAddress? gateway = _current;
            IReadOnlyList<SiloAddress> candidates = gateway is not null ? [gateway] : await _gateways.GetGatewaysAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (SiloAddress candidate in candidates)
            {
                try
                {
                    ResponseMessage response = await _transport.SendAsync(candidate, request, CancellationToken.None).ConfigureAwait(false);
                    if (response.Status != ResponseStatus.SiloUnavailable)
                    {
                        _current = candidate;
                        return response;
                    }

                    last = response.ToException();
                }
                catch (SiloUnavailableException e) when (!e.RequestMayHaveRun)
                {
                    last = e;
                }

                _logger.LogDebug("Gateway {Gateway} did not take a call: {Reason}", candidate, last?.Message);
                _current = null;
            }

            if (gateway is not null)
            {
                // The sticky gateway failed: try the whole list at once before pausing.
                continue;
            }

            if (_time.GetTimestamp() >= deadline)
            {
                throw new SiloUnavailableException($"No gateway accepted the call within {_options.ResponseTimeout}; last error: {last?.Message ?? "no gateways are known"}", last ?? new SiloUnavailableException());
            }

            await Task.Delay(_options.GatewayRetryDelay, _time).ConfigureAwait(false);
        }
    }
}
