using System.Collections.Concurrent;
using Banyan.Grains.Runtime;

namespace Banyan.Grains.Transport;

/// <summary>
/// An in-process "network" for test clusters: silos register their addresses; a send encodes the
/// request, decodes it on the other side and does the same with the response, so messages cross
/// exactly the bytes they would cross on a real network.
/// <para>
/// Each endpoint takes its messages in the order they were sent, as from a connection: a sender
/// that sends b and then c has b routed (queued on its activation) before c. Running each message
/// on its own thread-pool work item instead would let c overtake b under CPU load, and a
/// non-reentrant grain would then run the calls out of their send order.
/// </para>
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly ConcurrentDictionary<(string Host, int Port), Endpoint> _endpoints = new();

    internal void Register(SiloAddress self, IMessageHandler handler)
    {
        _endpoints[(self.Host, self.Port)] = new Endpoint(self, handler, isGateway: false);
        if (self.GatewayPort != 0)
        {
            _endpoints[(self.Host, self.GatewayPort)] = new Endpoint(self, handler, isGateway: true);
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

        // The bytes are taken now, as a network send would: later changes to the request do not travel.
        ResponseMessage response = await endpoint.Deliver(request.Encode()).ConfigureAwait(false);
        return ResponseMessage.Decode(response.Encode());
    }

    /// <summary>
    /// One listening endpoint and its inbox. A single drain at a time hands messages to the handler
    /// in arrival order; the handler runs synchronously only up to its first await (routing a request
    /// to its activation queue or onward), so the drain never waits for a grain call to finish.
    /// </summary>
    private sealed class Endpoint(SiloAddress self, IMessageHandler handler, bool isGateway) : IThreadPoolWorkItem
    {
        private readonly ConcurrentQueue<Delivery> _inbox = new();
        private int _draining;

        public SiloAddress Self => self;

        public bool IsGateway => isGateway;

        public Task<ResponseMessage> Deliver(byte[] request)
        {
            Delivery delivery = new(request);
            _inbox.Enqueue(delivery);
            // The drain runs on the thread pool: the handler leaves the caller's context (e.g. a grain's scheduler).
            if (Interlocked.Exchange(ref _draining, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }

            return delivery.Response.Task;
        }

        void IThreadPoolWorkItem.Execute()
        {
            while (true)
            {
                while (_inbox.TryDequeue(out Delivery? delivery))
                {
                    Dispatch(delivery);
                }

                Volatile.Write(ref _draining, 0);
                // A message enqueued after the last TryDequeue but before the flag was cleared saw the
                // drain still running and did not schedule one: take it over unless another drain did.
                if (_inbox.IsEmpty || Interlocked.Exchange(ref _draining, 1) != 0)
                {
                    return;
                }
            }
        }

        private void Dispatch(Delivery delivery)
        {
            Task<ResponseMessage> handled;
            try
            {
                handled = handler.HandleAsync(RequestMessage.Decode(delivery.Request), isGateway);
            }
            catch (Exception e)
            {
                delivery.Response.TrySetException(e);
                return;
            }

            handled.ContinueWith(
                static (t, state) =>
                {
                    TaskCompletionSource<ResponseMessage> response = (TaskCompletionSource<ResponseMessage>)state!;
                    if (t.IsCompletedSuccessfully)
                    {
                        response.TrySetResult(t.Result);
                    }
                    else if (t.IsCanceled)
                    {
                        response.TrySetCanceled();
                    }
                    else
                    {
                        response.TrySetException(t.Exception!.InnerExceptions);
                    }
                },
                delivery.Response,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private sealed class Delivery(byte[] request)
    {
        public byte[] Request => request;

        // Asynchronous continuations: the sender's code must not run on (and hold up) the drain.
        public TaskCompletionSource<ResponseMessage> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
