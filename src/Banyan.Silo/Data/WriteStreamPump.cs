using System.Runtime.InteropServices;
using System.Threading.Channels;
using Banyan.GrainInterfaces.Writes;
using Banyan.Silo.Grpc;
using Grpc.Core;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Data;

/// <summary>
/// Serves one bidirectional write stream with BanyanDB's protocol (<c>banyand/liaison/grpc/measure.go</c>,
/// <c>stream.go</c> <c>Write</c>): the first message must carry metadata (otherwise the stream ends with an error and no
/// response); later messages may omit metadata and spec, and the last ones seen apply; every message gets exactly one
/// <c>WriteResponse</c>, in message order, once its element is durable (or refused).
/// </summary>
/// <remarks>
/// Messages are cut into batches, one grain call each: a batch ends at <see cref="WriteBatchingOptions.MaxMessages"/>,
/// when the client pauses longer than <see cref="WriteBatchingOptions.Linger"/> after the batch's first message, or where
/// the metadata or the spec changes (a batch has one of each). Reading goes on while batches are in flight (up to
/// <see cref="WriteBatchingOptions.MaxInFlight"/>); a second loop waits for them in order and sends their responses.
/// </remarks>
/// <typeparam name="TRequest">The write request message.</typeparam>
/// <typeparam name="TResponse">The write response message.</typeparam>
/// <typeparam name="TSpec">The spec in force (tag family spec or data point spec).</typeparam>
public abstract class WriteStreamPump<TRequest, TResponse, TSpec>(WriteBatchingOptions options)
{
    /// <summary>The message upstream ends a stream with when its first request has no metadata.</summary>
    public const string MetadataRequired = "metadata is required for the first request of gRPC stream";

    /// <summary>
    /// Serves the stream, answering through Grpc.AspNetCore's writer (<see cref="ServerStreamResponseSink{TResponse}"/>,
    /// messages built by <see cref="Response"/>), until the client completes it.
    /// </summary>
    /// <exception cref="RpcException">The first message has no metadata (INVALID_ARGUMENT).</exception>
    public Task RunAsync(IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, CancellationToken cancellationToken)
        => RunAsync(requests, new ServerStreamResponseSink<TResponse>(responses, Response), cancellationToken);

    /// <summary>Serves the stream until the client completes it; then the last responses are sent and the call ends.</summary>
    /// <exception cref="RpcException">The first message has no metadata (INVALID_ARGUMENT).</exception>
    public async Task RunAsync(IAsyncStreamReader<TRequest> requests, IWriteResponseSink responses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Channel<InFlight> inFlight = Channel.CreateBounded<InFlight>(new BoundedChannelOptions(options.MaxInFlight) { SingleReader = true, SingleWriter = true });
        Task responder = RespondAsync(inFlight.Reader, responses, stop);
        try
        {
            await ReadAsync(requests, inFlight.Writer, stop.Token);
        }
        finally
        {
            inFlight.Writer.TryComplete();
            try
            {
                await responder;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // The client went away or the reader failed: what the responder hit is not the stream's error.
            }
        }
    }

    /// <summary>The request's metadata, or null when it carries none.</summary>
    protected abstract Metadata? MetadataOf(TRequest request);

    /// <summary>
    /// The spec the request carries, if any: true, with the new spec, when it carries one that differs from
    /// <paramref name="current"/>.
    /// </summary>
    protected abstract bool TryTakeSpec(TRequest request, TSpec current, out TSpec spec);

    /// <summary>
    /// The request's <c>message_id</c>, asked once per request; a protocol may give a request without one an id here
    /// (the id its response and its grain call then carry).
    /// </summary>
    protected abstract ulong MessageIdOf(TRequest request);

    /// <summary>
    /// Writes one batch through its grain; <paramref name="messageIds"/> are <see cref="MessageIdOf"/> of each request.
    /// <paramref name="requests"/> is the pump's own list, valid only until this returns its task: what the grain call
    /// needs of it is copied before (the batch is not copied once more for the call).
    /// </summary>
    protected abstract Task<WriteOutcome> WriteAsync(Metadata metadata, TSpec spec, ReadOnlySpan<TRequest> requests, ulong[] messageIds);

    /// <summary>The response to one message.</summary>
    protected abstract TResponse Response(ulong messageId, string status, Metadata metadata);

    /// <summary>The spec in force before the stream sent any.</summary>
    protected abstract TSpec NoSpec { get; }

    private async Task ReadAsync(IAsyncStreamReader<TRequest> requests, ChannelWriter<InFlight> inFlight, CancellationToken cancellationToken)
    {
        Metadata? metadata = null;
        TSpec spec = NoSpec;
        List<TRequest> batch = [];
        long batchStarted = 0;
        Task<bool> next = requests.MoveNext(cancellationToken);
        while (true)
        {
            if (batch.Count > 0 && !next.IsCompleted)
            {
                // The client paused: the batch waits at most Linger after its first message, then goes.
                TimeSpan left = options.Linger - TimeSpan.FromMilliseconds(Environment.TickCount64 - batchStarted);
                if (left <= TimeSpan.Zero || await Task.WhenAny(next, Task.Delay(left, cancellationToken)) != next)
                {
                    await DispatchAsync(metadata!, spec, batch, inFlight, cancellationToken);
                }
            }

            if (!await next)
            {
                break;
            }

            TRequest request = requests.Current;
            Metadata? carried = MetadataOf(request);
            if (carried is null && metadata is null)
            {
                // Upstream's reply to this has no metadata to carry and is never sent; the stream ends with the error.
                throw new RpcException(new Status(StatusCode.InvalidArgument, MetadataRequired));
            }

            bool metadataChanged = carried is not null && !carried.Equals(metadata);
            bool specChanged = TryTakeSpec(request, spec, out TSpec newSpec);
            if ((metadataChanged || specChanged) && batch.Count > 0)
            {
                await DispatchAsync(metadata!, spec, batch, inFlight, cancellationToken);
            }

            if (metadataChanged)
            {
                metadata = carried;
            }

            if (specChanged)
            {
                spec = newSpec;
            }

            if (batch.Count == 0)
            {
                batchStarted = Environment.TickCount64;
            }

            batch.Add(request);
            if (batch.Count >= options.MaxMessages)
            {
                await DispatchAsync(metadata!, spec, batch, inFlight, cancellationToken);
            }

            next = requests.MoveNext(cancellationToken);
        }

        if (batch.Count > 0)
        {
            await DispatchAsync(metadata!, spec, batch, inFlight, cancellationToken);
        }
    }

    private async Task DispatchAsync(Metadata metadata, TSpec spec, List<TRequest> batch, ChannelWriter<InFlight> inFlight, CancellationToken cancellationToken)
    {
        ulong[] ids = new ulong[batch.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = MessageIdOf(batch[i]);
        }

        Task<WriteOutcome> written = StartWrite(metadata, spec, CollectionsMarshal.AsSpan(batch), ids);
        batch.Clear();
        await inFlight.WriteAsync(new InFlight(metadata, ids, OrFailureAsync(written, ids.Length)), cancellationToken);
    }

    private Task<WriteOutcome> StartWrite(Metadata metadata, TSpec spec, ReadOnlySpan<TRequest> requests, ulong[] messageIds)
    {
        try
        {
            return WriteAsync(metadata, spec, requests, messageIds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<WriteOutcome>(e);
        }
    }

    // A failed grain call (silo shutting down, timeout) answers every element of the batch, retryable; the stream goes on.
    private static async Task<WriteOutcome> OrFailureAsync(Task<WriteOutcome> written, int count)
    {
        try
        {
            return await written;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string reason = $"the write did not complete: {e.Message}";
            return new WriteOutcome(
                [.. Enumerable.Repeat(WriteStatus.InternalError, count)],
                [.. Enumerable.Range(0, count).Select(i => new ElementRefusal(i, reason, Retryable: true))],
                0);
        }
    }

    private static async Task RespondAsync(ChannelReader<InFlight> inFlight, IWriteResponseSink responses, CancellationTokenSource stop)
    {
        try
        {
            await foreach (InFlight batch in inFlight.ReadAllAsync(CancellationToken.None))
            {
                // A batch's responses go out in one flush.
                WriteOutcome outcome = await batch.Outcome;
                for (int i = 0; i < batch.MessageIds.Length; i++)
                {
                    responses.Append(batch.MessageIds[i], WriteStatusNames.Of(outcome.Statuses[i]), batch.Metadata);
                }

                await responses.FlushAsync(stop.Token);
            }
        }
        catch
        {
            // The client cannot be answered any more: stop reading too.
            await stop.CancelAsync();
            throw;
        }
    }

    private sealed record InFlight(Metadata Metadata, ulong[] MessageIds, Task<WriteOutcome> Outcome);
}
