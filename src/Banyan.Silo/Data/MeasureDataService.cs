using Banyan.Api.Measure.V1;
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
        return new MeasureWritePump(grains, options.Value.WriteBatching, clock).RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
