using Banyan.Api.Stream.V1;
using Banyan.Silo.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Banyan.Silo.Data;

/// <summary>
/// BanyanDB's <c>StreamService</c> on the silo: <c>Write</c> (bidirectional, <see cref="StreamWritePump"/>). Partial:
/// the query RPCs live in their own file. RPCs not overridden answer UNIMPLEMENTED.
/// </summary>
public sealed partial class StreamDataService(IGrainFactory grains, IOptions<SiloHostOptions> options, SubjectWriteCoalescer coalescer) : StreamService.StreamServiceBase
{
    /// <inheritdoc/>
    public override Task Write(IAsyncStreamReader<WriteRequest> requestStream, IServerStreamWriter<WriteResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        StreamWritePump pump = new(grains, options.Value.WriteBatching, options.Value.WriteBatching.JoinStreams ? coalescer : null);
        return RawMessageTransport.TryRaw(context, payload => PipeMessageReader.Parse(WriteRequest.Parser, payload), options.Value.GrpcMaxReceiveMessageSize, out PipeMessageReader<WriteRequest>? requests, out PipeResponseSink? responses)
            ? pump.RunAsync(requests, responses, context.CancellationToken)
            : pump.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
