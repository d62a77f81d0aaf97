using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Writes;
using Grpc.Core;

namespace Banyan.Silo.Data;

/// <summary>BanyanDB's <c>MeasureService/Query</c>: runs on this silo's measure grain for the request's first group (a stateless worker, so locally).</summary>
public sealed partial class MeasureDataService
{
    /// <inheritdoc/>
    public override async Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await grains.GetGrainCached<IMeasureGrain>(SubjectKey.OfQuery(request.Groups, request.Name, "measure")).Query(request)).Value;
    }
}
