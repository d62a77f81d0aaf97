using Grpc.Core;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Grpc;

/// <summary>
/// The write responses of a call the silo does not answer on the raw body (a compressing client, a call not served by
/// Kestrel), through Grpc.AspNetCore's writer: appended responses are kept, and a flush writes them, every one but the
/// last with <see cref="WriteFlags.BufferHint"/>, so a batch still reaches the client in one flush.
/// </summary>
/// <typeparam name="TResponse">The response message.</typeparam>
/// <param name="writer">The call's response stream.</param>
/// <param name="response">Builds the response message from its fields.</param>
public sealed class ServerStreamResponseSink<TResponse>(IServerStreamWriter<TResponse> writer, Func<ulong, string, Metadata, TResponse> response) : IWriteResponseSink
{
    private static readonly WriteOptions s_buffered = new(WriteFlags.BufferHint);
    private readonly List<TResponse> _appended = [];

    /// <inheritdoc/>
    public void Append(ulong messageId, string status, Metadata metadata) => _appended.Add(response(messageId, status, metadata));

    /// <inheritdoc/>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            for (int i = 0; i < _appended.Count; i++)
            {
                writer.WriteOptions = i < _appended.Count - 1 ? s_buffered : null;
                await writer.WriteAsync(_appended[i], cancellationToken);
            }
        }
        finally
        {
            _appended.Clear();
        }
    }
}
