using System.Buffers.Binary;
using Banyan.Grains.Runtime;
using Banyan.Grains.Serialization;
using Microsoft.Extensions.Logging;

namespace Banyan.Grains.Streams;

/// <summary>
/// A stream provider whose events live in memory in one hub grain per stream. Subscribers (grains,
/// silo code, clients) long-poll the hub, so it works the same through gateways and across silos.
/// Delivery is in order and at most once; events published while a hub is being re-activated after
/// a silo failure may be missed (as with Orleans memory streams).
/// </summary>
internal sealed class MemoryStreamProvider(string name, IGrainFactory factory, ILogger logger, ActivationData? activation, CancellationToken stopping) : IStreamProvider
{
    internal const int PollMilliseconds = 10_000;

    internal ILogger Logger => logger;

    /// <summary>The grain this provider serves, or null for silo code and clients.</summary>
    internal ActivationData? Activation => activation;

    internal CancellationToken Stopping => stopping;

    public string Name => name;

    public IAsyncStream<T> GetStream<T>(StreamId id) => new MemoryStream<T>(this, id);

    private IStreamHubGrain Hub(StreamId id) => factory.GetGrain<IStreamHubGrain>(name + "/" + id.Namespace + "/" + id.Key);

    private sealed class MemoryStream<T>(MemoryStreamProvider provider, StreamId id) : IAsyncStream<T>
    {
        private static readonly ValueCodec s_codec = ValueCodec.For(typeof(T));

        public StreamId StreamId => id;

        public async Task OnNextAsync(T item)
        {
            WireWriter writer = WireWriter.Rent();
            byte[] bytes;
            try
            {
                s_codec.Write(writer, item);
                bytes = writer.ToArray();
            }
            finally
            {
                WireWriter.Return(writer);
            }

            await provider.Hub(id).Publish(bytes);
        }

        public async Task<StreamSubscriptionHandle<T>> SubscribeAsync(Func<T, StreamSequenceToken?, Task> onNextAsync)
        {
            ArgumentNullException.ThrowIfNull(onNextAsync);
            // Learn the hub's epoch and position first, so only events published from now on are delivered.
            byte[] position = await provider.Hub(id).Poll([], 0, 0);
            Subscription<T> subscription = new(provider, provider.Hub(id), s_codec, onNextAsync, position);
            subscription.Start();
            return subscription;
        }
    }

    private sealed class Subscription<T> : StreamSubscriptionHandle<T>
    {
        private readonly MemoryStreamProvider _provider;
        private readonly IStreamHubGrain _hub;
        private readonly ValueCodec _codec;
        private readonly Func<T, StreamSequenceToken?, Task> _handler;
        private readonly CancellationTokenSource _cancel;
        private byte[] _epoch;
        private long _next;

        public Subscription(MemoryStreamProvider provider, IStreamHubGrain hub, ValueCodec codec, Func<T, StreamSequenceToken?, Task> handler, byte[] position)
        {
            _provider = provider;
            _hub = hub;
            _codec = codec;
            _handler = handler;
            _epoch = position[..16];
            _next = BinaryPrimitives.ReadInt64LittleEndian(position.AsSpan(16));
            _cancel = provider.Activation is null
                ? CancellationTokenSource.CreateLinkedTokenSource(provider.Stopping)
                : CancellationTokenSource.CreateLinkedTokenSource(provider.Stopping, provider.Activation.Lifetime);
        }

        public override Guid HandleId { get; } = Guid.NewGuid();

        public void Start() => _ = Task.Run(LoopAsync);

        public override Task UnsubscribeAsync()
        {
            _cancel.Cancel();
            return Task.CompletedTask;
        }

        private async Task LoopAsync()
        {
            CancellationToken token = _cancel.Token;
            while (!token.IsCancellationRequested)
            {
                byte[] batch;
                try
                {
                    batch = await _hub.Poll(_epoch, _next, PollMilliseconds).ConfigureAwait(false);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    _provider.Logger.LogDebug(e, "Stream poll failed; retrying");
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    continue;
                }
                catch (Exception)
                {
                    return;
                }

                if (!await DeliverAsync(batch, token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }

        private async Task<bool> DeliverAsync(byte[] batch, CancellationToken token)
        {
            if (!batch.AsSpan(0, 16).SequenceEqual(_epoch))
            {
                // The hub was re-activated: continue at its current position.
                _epoch = batch[..16];
            }

            long start = BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(16));
            int count = BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(24));
            int offset = 28;
            for (int i = 0; i < count && !token.IsCancellationRequested; i++)
            {
                int length = BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(offset));
                T item = (T)_codec.Deserialize(batch.AsSpan(offset + 4, length), null)!;
                offset += 4 + length;
                StreamSequenceToken sequence = new(start + i);
                if (_provider.Activation is { } grain)
                {
                    StreamDeliveryWorkItem delivery = new(() => _handler(item, sequence), _provider.Logger);
                    if (!grain.Enqueue(delivery))
                    {
                        return false;
                    }

                    await delivery.Completion.ConfigureAwait(false);
                }
                else
                {
                    try
                    {
                        await _handler(item, sequence).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        _provider.Logger.LogError(e, "Stream subscriber threw; the subscription goes on");
                    }
                }
            }

            _next = start + count;
            return true;
        }
    }

    /// <summary>A stream event delivered to a grain as one turn.</summary>
    private sealed class StreamDeliveryWorkItem(Func<Task> handler, ILogger logger) : WorkItem
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => _done.Task;

        public override async Task RunAsync(ActivationData activation)
        {
            try
            {
                await handler();
            }
            catch (Exception e)
            {
                logger.LogError(e, "Stream subscriber in grain {GrainId} threw; the subscription goes on", activation.GrainId);
            }
            finally
            {
                _done.TrySetResult();
            }
        }

        public override void Abandon(SiloRuntime silo) => _done.TrySetResult();
    }
}
