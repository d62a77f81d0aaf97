using Banyan.Api.Stream.V1;
using Banyan.GrainInterfaces;
using Banyan.GrainInterfaces.Writes;
using Grpc.Core;

namespace Banyan.Silo.Data;

/// <summary>BanyanDB's <c>StreamService/Query</c>: runs on this silo's stream grain for the request's first group (a stateless worker, so locally).</summary>
public sealed partial class StreamDataService
{
    /// <inheritdoc/>
    public override async Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await grains.GetGrainCached<IStreamGrain>(SubjectKey.OfQuery(request.Groups, request.Name, "stream")).Query(request)).Value;
    }
}
