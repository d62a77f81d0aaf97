using Banyan.Api.Measure.V1;
using Banyan.Silo.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Banyan.Silo.Data;

/// <summary>
/// BanyanDB's <c>MeasureService</c> on the silo: <c>Write</c> (bidirectional, <see cref="MeasureWritePump"/>). Partial:
/// the query RPCs live in their own file. RPCs not overridden answer UNIMPLEMENTED.
/// </summary>
public sealed partial class MeasureDataService(IGrainFactory grains, IOptions<SiloHostOptions> options, TimeProvider clock, Banyan.Grains.Queries.MeasureQueryRunner queries) : MeasureService.MeasureServiceBase
{
    /// <inheritdoc/>
    public override Task Write(IAsyncStreamReader<WriteRequest> requestStream, IServerStreamWriter<WriteResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        (IAsyncStreamReader<WriteRequest> requests, IServerStreamWriter<WriteResponse> responses) = RawMessageTransport.For(
            context, requestStream, responseStream, WriteRequest.Parser, options.Value.GrpcMaxReceiveMessageSize, static (writer, response) => WriteResponseMarshaller.WriteFrame(writer, response.MessageId, response.Status, response.Metadata));
        return new MeasureWritePump(grains, options.Value.WriteBatching, clock).RunAsync(requests, responses, context.CancellationToken);
    }
}
