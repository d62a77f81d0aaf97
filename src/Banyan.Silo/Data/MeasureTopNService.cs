using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Grpc.Core;

namespace Banyan.Silo.Data;

/// <summary>
/// BanyanDB's <c>MeasureService/TopN</c> (also <c>POST /api/v1/measure/topn</c> through the gateway): runs on this
/// silo's measure grain for the request's first group (a stateless worker, so locally), which reads the ranked lists
/// every shard of the aggregation's source measure keeps.
/// </summary>
public sealed partial class MeasureDataService
{
    /// <inheritdoc/>
    public override Task<TopNResponse> TopN(TopNRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return grains.GetGrainCached<IMeasureGrain>(SubjectKey.OfQuery(request.Groups, request.Name, "TopN aggregation")).TopN(request);
    }
}
