using System.Buffers;
using System.IO.Pipelines;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Grpc;

/// <summary>
/// The write streams' responses encoded straight into the HTTP/2 response body: each one appended as a gRPC message
/// (<see cref="WriteResponseMarshaller.WriteFrame"/>, the bytes protobuf gives the <c>WriteResponse</c>) into a buffer of
/// the stream's own, and a batch's responses copied into the body and sent in one flush. Grpc.AspNetCore's writer takes
/// the HTTP/2 stream's output lock and goes through an asynchronous write for every message even when it does not
/// flush; Kestrel's body writer itself takes that lock in every <c>GetSpan</c> and <c>Advance</c>, so the frames are
/// gathered here first and reach the body in one copy per batch (a few bytes a response) instead of two locked calls each.
/// </summary>
/// <param name="body">The response body (<c>HttpResponse.BodyWriter</c>).</param>
/// <param name="callCancellation">The call's token: a flush stops when the client goes away.</param>
public sealed class PipeResponseSink(PipeWriter body, CancellationToken callCancellation) : IWriteResponseSink
{
    // The frames appended since the last flush; reused, so it keeps the size of the stream's largest batch (a batch holds
    // at most Silo:WriteBatching:MaxMessages responses, 1,000 by default, a few dozen bytes each).
    private readonly ArrayBufferWriter<byte> _pending = new(1024);

    /// <inheritdoc/>
    public void Append(ulong messageId, string status, Metadata metadata)
        => WriteResponseMarshaller.WriteFrame(_pending, messageId, status, metadata);

    /// <inheritdoc/>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount > 0)
        {
            body.Write(_pending.WrittenSpan);
            _pending.ResetWrittenCount();
        }

        using CancellationTokenSource both = CancellationTokenSource.CreateLinkedTokenSource(callCancellation, cancellationToken);
        FlushResult flushed = await body.FlushAsync(both.Token);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            // The client is gone (the body was completed under us) or the call was canceled.
            throw new OperationCanceledException("The response stream is closed.");
        }
    }
}
