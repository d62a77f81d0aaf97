namespace Banyan.Grains;

/// <summary>Identity of a stream: a namespace and a key (as Orleans' <c>StreamId</c>).</summary>
public readonly record struct StreamId(string Namespace, string Key)
{
    /// <summary>Creates a stream id.</summary>
    public static StreamId Create(string streamNamespace, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamNamespace);
        ArgumentNullException.ThrowIfNull(key);
        return new StreamId(streamNamespace, key);
    }

    /// <inheritdoc/>
    public override string ToString() => Namespace + "/" + Key;
}

/// <summary>Position of an event in its stream (as Orleans' <c>StreamSequenceToken</c>): 1 for the first event published.</summary>
public sealed record StreamSequenceToken(long SequenceNumber);

/// <summary>A stream of events of type <typeparamref name="T"/> (protobuf message or primitive) (as Orleans' <c>IAsyncStream&lt;T&gt;</c>).</summary>
#pragma warning disable CA1711 // Orleans' name, kept so grain code reads the same
public interface IAsyncStream<T>
#pragma warning restore CA1711
{
    /// <summary>The stream's id.</summary>
    StreamId StreamId { get; }

    /// <summary>Publishes an event to every current subscriber; returns once the stream has accepted it.</summary>
    Task OnNextAsync(T item);

    /// <summary>
    /// Subscribes: <paramref name="onNextAsync"/> receives each event published after this call, in
    /// order. Inside a grain, each delivery is a turn of the grain (like a call) and the subscription
    /// ends with the activation, so subscribe in OnActivateAsync.
    /// </summary>
    Task<StreamSubscriptionHandle<T>> SubscribeAsync(Func<T, StreamSequenceToken?, Task> onNextAsync);
}

/// <summary>A subscription; unsubscribe to stop deliveries.</summary>
public abstract class StreamSubscriptionHandle<T>
{
    /// <summary>Identity of this subscription.</summary>
    public abstract Guid HandleId { get; }

    /// <summary>Stops deliveries.</summary>
    public abstract Task UnsubscribeAsync();
}

/// <summary>Named stream provider (as Orleans' <c>IStreamProvider</c>).</summary>
public interface IStreamProvider
{
    /// <summary>The provider's name.</summary>
    string Name { get; }

    /// <summary>A handle on stream <paramref name="id"/>; cheap, creates nothing by itself.</summary>
    IAsyncStream<T> GetStream<T>(StreamId id);
}
