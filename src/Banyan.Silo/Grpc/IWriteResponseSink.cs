using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Where a write stream's responses go: each <c>WriteResponse</c> (measure or stream: the same three fields) appended
/// as its fields, a batch's responses sent by one flush. On the raw body (<see cref="PipeResponseSink"/>) each is
/// encoded straight into it, with no message object and no asynchronous write per data point; otherwise
/// <see cref="ServerStreamResponseSink{TResponse}"/> writes response messages through Grpc.AspNetCore.
/// </summary>
public interface IWriteResponseSink
{
    /// <summary>Appends one response to the body, not yet sent.</summary>
    void Append(ulong messageId, string status, Metadata metadata);

    /// <summary>Sends what was appended.</summary>
    /// <exception cref="OperationCanceledException">The client is gone or the call was canceled.</exception>
    Task FlushAsync(CancellationToken cancellationToken);
}
