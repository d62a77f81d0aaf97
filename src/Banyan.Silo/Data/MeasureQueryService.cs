using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Queries;
using Grpc.Core;

namespace Banyan.Silo.Data;

/// <summary>
/// BanyanDB's <c>MeasureService/Query</c>: runs on this silo (<see cref="MeasureQueryRunner"/>, what the measure grain's
/// <c>Query</c> runs, without the grain hop there and back).
/// </summary>
public sealed partial class MeasureDataService
{
    /// <inheritdoc/>
    public override Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The same refusal of a request without groups or name as the grain's key gave.
        _ = SubjectKey.OfQuery(request.Groups, request.Name, "measure");
        return queries.QueryAsync(request);
    }
}
