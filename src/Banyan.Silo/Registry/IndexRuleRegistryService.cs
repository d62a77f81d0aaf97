using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Grpc.Core;
using DatabaseV1 = Banyan.Api.Database.V1;

namespace Banyan.Silo.Registry;

/// <summary><c>database.v1.IndexRuleRegistryService</c> over the metadata grain: map the request, call the grain, map the answer.</summary>
public sealed class IndexRuleRegistryService(IGrainFactory grains) : DatabaseV1.IndexRuleRegistryService.IndexRuleRegistryServiceBase
{
    /// <inheritdoc/>
    public override async Task<IndexRuleRegistryServiceCreateResponse> Create(IndexRuleRegistryServiceCreateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Create(RegistryRequests.Require(request.IndexRule, "index_rule")) };

    /// <inheritdoc/>
    public override async Task<IndexRuleRegistryServiceUpdateResponse> Update(IndexRuleRegistryServiceUpdateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Update(RegistryRequests.Require(request.IndexRule, "index_rule")) };

    /// <inheritdoc/>
    public override async Task<IndexRuleRegistryServiceDeleteResponse> Delete(IndexRuleRegistryServiceDeleteRequest request, ServerCallContext context)
    {
        SchemaDeletion deletion = await grains.Catalog().Delete(RegistryRequests.KeyOf(SchemaKind.IndexRule, request.Metadata));
        return new() { Deleted = deletion.Deleted, DeleteTime = deletion.DeleteTimeUnixNanos, ModRevision = deletion.Revision };
    }

    /// <inheritdoc/>
    public override async Task<IndexRuleRegistryServiceGetResponse> Get(IndexRuleRegistryServiceGetRequest request, ServerCallContext context) =>
        new() { IndexRule = (IndexRule)await grains.Catalog().Get(RegistryRequests.KeyOf(SchemaKind.IndexRule, request.Metadata)) };

    /// <inheritdoc/>
    public override async Task<IndexRuleRegistryServiceListResponse> List(IndexRuleRegistryServiceListRequest request, ServerCallContext context) =>
        new() { IndexRule = { (await grains.Catalog().List(SchemaKind.IndexRule, request.Group)).Cast<IndexRule>() } };

    /// <inheritdoc/>
    public override async Task<IndexRuleRegistryServiceExistResponse> Exist(IndexRuleRegistryServiceExistRequest request, ServerCallContext context)
    {
        SchemaExistence existence = await grains.Catalog().Exist(RegistryRequests.KeyOf(SchemaKind.IndexRule, request.Metadata));
        return new() { HasGroup = existence.HasGroup, HasIndexRule = existence.HasSchema };
    }
}
