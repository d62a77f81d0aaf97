using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Grpc.Core;
using DatabaseV1 = Banyan.Api.Database.V1;

namespace Banyan.Silo.Registry;

/// <summary><c>database.v1.TopNAggregationRegistryService</c> over the metadata grain: map the request, call the grain, map the answer.</summary>
public sealed class TopNAggregationRegistryService(IGrainFactory grains) : DatabaseV1.TopNAggregationRegistryService.TopNAggregationRegistryServiceBase
{
    /// <inheritdoc/>
    public override async Task<TopNAggregationRegistryServiceCreateResponse> Create(TopNAggregationRegistryServiceCreateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Create(RegistryRequests.Require(request.TopNAggregation, "top_n_aggregation")) };

    /// <inheritdoc/>
    public override async Task<TopNAggregationRegistryServiceUpdateResponse> Update(TopNAggregationRegistryServiceUpdateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Update(RegistryRequests.Require(request.TopNAggregation, "top_n_aggregation")) };

    /// <inheritdoc/>
    public override async Task<TopNAggregationRegistryServiceDeleteResponse> Delete(TopNAggregationRegistryServiceDeleteRequest request, ServerCallContext context)
    {
        SchemaDeletion deletion = await grains.Catalog().Delete(RegistryRequests.KeyOf(SchemaKind.TopNAggregation, request.Metadata));
        return new() { Deleted = deletion.Deleted, DeleteTime = deletion.DeleteTimeUnixNanos, ModRevision = deletion.Revision };
    }

    /// <inheritdoc/>
    public override async Task<TopNAggregationRegistryServiceGetResponse> Get(TopNAggregationRegistryServiceGetRequest request, ServerCallContext context) =>
        new() { TopNAggregation = (TopNAggregation)await grains.Catalog().Get(RegistryRequests.KeyOf(SchemaKind.TopNAggregation, request.Metadata)) };

    /// <inheritdoc/>
    public override async Task<TopNAggregationRegistryServiceListResponse> List(TopNAggregationRegistryServiceListRequest request, ServerCallContext context) =>
        new() { TopNAggregation = { (await grains.Catalog().List(SchemaKind.TopNAggregation, request.Group)).Cast<TopNAggregation>() } };

    /// <inheritdoc/>
    public override async Task<TopNAggregationRegistryServiceExistResponse> Exist(TopNAggregationRegistryServiceExistRequest request, ServerCallContext context)
    {
        SchemaExistence existence = await grains.Catalog().Exist(RegistryRequests.KeyOf(SchemaKind.TopNAggregation, request.Metadata));
        return new() { HasGroup = existence.HasGroup, HasTopNAggregation = existence.HasSchema };
    }
}
