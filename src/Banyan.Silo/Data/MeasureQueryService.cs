using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Queries;
using Grpc.Core;

namespace Banyan.Silo.Data;

/// <summary>
/// BanyanDB's <c>MeasureService/Query</c>: runs on this silo (<see cref="MeasureQueryRunner"/>, what the measure grain's
/// <c>Query</c> runs, without the grain hop there and back). A page of raw points comes back as rows attached to the
/// answer (<see cref="MeasurePointRows"/>), written as bytes by the gRPC method's marshaller
/// (<see cref="Grpc.MeasureQueryResponseEncoder"/>) and made objects by the HTTP gateway's (<c>GatewayCodec</c>), the
/// method's two callers: whoever else calls it takes the rows with <see cref="MeasurePointRows.TryTakeFrom"/>.
/// </summary>
public sealed partial class MeasureDataService
{
    /// <inheritdoc/>
    public override Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The same refusal of a request without groups or name as the grain's key gave.
        _ = SubjectKey.OfQuery(request.Groups, request.Name, "measure");
        return queries.QueryAsync(request, pointsAsBytes: true);
    }
}
