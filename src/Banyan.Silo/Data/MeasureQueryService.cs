using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Writes;
using Grpc.Core;

namespace Banyan.Silo.Data;

/// <summary>BanyanDB's <c>MeasureService/Query</c>: runs on this silo's measure grain for the request's first group (a stateless worker, so locally).</summary>
public sealed partial class MeasureDataService
{
    /// <inheritdoc/>
    public override Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Groups.Count == 0 || string.IsNullOrEmpty(request.Groups[0]))
        {
            throw new SchemaValidationException("groups", "at least one group is required");
        }

        if (string.IsNullOrEmpty(request.Name))
        {
            throw new SchemaValidationException("name", "the measure name is required");
        }

        return grains.GetGrain<IMeasureGrain>(SubjectKey.Of(request.Groups[0], request.Name)).Query(request);
    }
}
