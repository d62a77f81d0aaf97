using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Banyan.Silo.Grpc;

/// <summary>
/// Chooses how a write stream's messages are read and its responses written: straight from and into the HTTP/2 body
/// (<see cref="PipeMessageReader{TMessage}"/>, <see cref="PipeResponseSink"/>) when the call is served by
/// Kestrel and the client declared no message compression; otherwise through Grpc.AspNetCore's reader and writer, which
/// decompress.
/// </summary>
public static class RawMessageTransport
{
    /// <summary>
    /// The raw reader (each message's bytes given to <paramref name="decode"/>) and response sink for this call; false
    /// when they do not apply (not served by Kestrel, or a declared message compression).
    /// </summary>
    public static bool TryRaw<TRequest>(
        ServerCallContext context,
        Func<ReadOnlySequence<byte>, TRequest> decode,
        int maxMessageSize,
        [NotNullWhen(true)] out PipeMessageReader<TRequest>? requests,
        [NotNullWhen(true)] out PipeResponseSink? responses)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HttpContextOf(context) is not { } http || !IsIdentity(http.Request.Headers["grpc-encoding"]))
        {
            requests = null;
            responses = null;
            return false;
        }

        requests = new PipeMessageReader<TRequest>(http.Request.BodyReader, decode, maxMessageSize);
        responses = new PipeResponseSink(http.Response.BodyWriter, context.CancellationToken);
        return true;
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
