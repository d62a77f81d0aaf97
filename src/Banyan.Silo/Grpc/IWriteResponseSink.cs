using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Grpc;

/// <summary>
/// A write stream's response body that takes each <c>WriteResponse</c> (measure or stream: the same three fields) as its
/// fields and encodes it straight into the body, with one flush per batch: no response message object per data point,
/// and no asynchronous write per response. <see cref="PipeMessageWriter{TMessage}"/> is one; the write pump uses it
/// when the call's writer is one, and writes response messages otherwise.
/// </summary>
public interface IWriteResponseSink
{
    /// <summary>Appends one response to the body, not yet sent.</summary>
    void Append(ulong messageId, string status, Metadata metadata);

    /// <summary>Sends what was appended.</summary>
    /// <exception cref="OperationCanceledException">The client is gone or the call was canceled.</exception>
    Task FlushAsync(CancellationToken cancellationToken);
}
