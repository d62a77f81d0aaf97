using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Chooses how a write stream's messages are read and its responses written: straight from and into the HTTP/2 body
/// (<see cref="PipeMessageReader{TMessage}"/>, <see cref="PipeMessageWriter{TMessage}"/>) when the call is served by
/// Kestrel and the client declared no message compression; otherwise through Grpc.AspNetCore's reader and writer, which
/// decompress.
/// </summary>
public static class RawMessageTransport
{
    /// <summary>The reader and writer for this call: the raw ones where they apply, else the ones Grpc.AspNetCore gave.</summary>
    public static (IAsyncStreamReader<TRequest> Requests, IServerStreamWriter<TResponse> Responses) For<TRequest, TResponse>(
        ServerCallContext context,
        IAsyncStreamReader<TRequest> requests,
        IServerStreamWriter<TResponse> responses,
        MessageParser<TRequest> parser,
        int maxMessageSize,
        Action<System.Buffers.IBufferWriter<byte>, TResponse> writeFrame)
        where TRequest : IMessage<TRequest>
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HttpContextOf(context) is not { } http || !IsIdentity(http.Request.Headers["grpc-encoding"]))
        {
            return (requests, responses);
        }

        return (new PipeMessageReader<TRequest>(http.Request.BodyReader, parser, maxMessageSize), new PipeMessageWriter<TResponse>(http.Response.BodyWriter, writeFrame, context.CancellationToken));
    }

    private static bool IsIdentity(string? encoding) => string.IsNullOrEmpty(encoding) || encoding == "identity";

    // Calls served by Grpc.AspNetCore carry their HttpContext; others (an in-process test server) do not.
    private static HttpContext? HttpContextOf(ServerCallContext context)
    {
        try
        {
            return context.GetHttpContext();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
