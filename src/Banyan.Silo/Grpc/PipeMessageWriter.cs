using System.Buffers;
using System.IO.Pipelines;
using Grpc.Core;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Writes the length-prefixed messages of a gRPC response stream straight into the HTTP/2 response body, for the two
/// write streams: a message written with <see cref="WriteFlags.BufferHint"/> is only appended (no flush, no lock, no
/// asynchronous step), so a batch's responses reach the client in one flush. Grpc.AspNetCore's writer takes the
/// HTTP/2 stream's output lock and goes through an asynchronous write for every message even when it does not flush.
/// </summary>
/// <typeparam name="TMessage">The response message.</typeparam>
/// <param name="body">The response body (<c>HttpResponse.BodyWriter</c>).</param>
/// <param name="writeFrame">Appends one message with its 5-byte gRPC prefix (uncompressed) to the writer it is given.</param>
/// <param name="callCancellation">The call's token: a flush stops when the client goes away.</param>
/// <remarks>
/// As an <see cref="IWriteResponseSink"/> it appends write responses from their fields
/// (<see cref="WriteResponseMarshaller.WriteFrame"/>), the same bytes as writing the message; it serves only the write
/// streams, whose response is a <c>WriteResponse</c>.
/// </remarks>
public sealed class PipeMessageWriter<TMessage>(PipeWriter body, Action<IBufferWriter<byte>, TMessage> writeFrame, CancellationToken callCancellation) : IServerStreamWriter<TMessage>, IWriteResponseSink
{
    /// <inheritdoc/>
    public WriteOptions? WriteOptions { get; set; }

    /// <inheritdoc/>
    public Task WriteAsync(TMessage message) => WriteAsync(message, CancellationToken.None);

    /// <inheritdoc/>
    public Task WriteAsync(TMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        writeFrame(body, message);
        return (WriteOptions?.Flags & WriteFlags.BufferHint) == WriteFlags.BufferHint ? Task.CompletedTask : FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public void Append(ulong messageId, string status, Banyan.Api.Common.V1.Metadata metadata)
        => WriteResponseMarshaller.WriteFrame(body, messageId, status, metadata);

    /// <inheritdoc/>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenSource both = CancellationTokenSource.CreateLinkedTokenSource(callCancellation, cancellationToken);
        FlushResult flushed = await body.FlushAsync(both.Token);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            // The client is gone (the body was completed under us) or the call was canceled.
            throw new OperationCanceledException("The response stream is closed.");
        }
    }
}
