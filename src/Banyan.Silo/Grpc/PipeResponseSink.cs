using System.IO.Pipelines;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Grpc;

/// <summary>
/// The write streams' responses encoded straight into the HTTP/2 response body: each one appended as a gRPC message
/// (<see cref="WriteResponseMarshaller.WriteFrame"/>, the bytes protobuf gives the <c>WriteResponse</c>) without a lock
/// or an asynchronous step, and a batch's responses sent in one flush. Grpc.AspNetCore's writer takes the HTTP/2
/// stream's output lock and goes through an asynchronous write for every message even when it does not flush.
/// </summary>
/// <param name="body">The response body (<c>HttpResponse.BodyWriter</c>).</param>
/// <param name="callCancellation">The call's token: a flush stops when the client goes away.</param>
public sealed class PipeResponseSink(PipeWriter body, CancellationToken callCancellation) : IWriteResponseSink
{
    /// <inheritdoc/>
    public void Append(ulong messageId, string status, Metadata metadata)
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
