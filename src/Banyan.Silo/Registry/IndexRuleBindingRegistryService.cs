using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Grpc.Core;
using DatabaseV1 = Banyan.Api.Database.V1;

namespace Banyan.Silo.Registry;

/// <summary><c>database.v1.IndexRuleBindingRegistryService</c> over the metadata grain: map the request, call the grain, map the answer.</summary>
public sealed class IndexRuleBindingRegistryService(IGrainFactory grains) : DatabaseV1.IndexRuleBindingRegistryService.IndexRuleBindingRegistryServiceBase
{
    /// <inheritdoc/>
    public override async Task<IndexRuleBindingRegistryServiceCreateResponse> Create(IndexRuleBindingRegistryServiceCreateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Create(RegistryRequests.Require(request.IndexRuleBinding, "index_rule_binding")) };

    /// <inheritdoc/>
    public override async Task<IndexRuleBindingRegistryServiceUpdateResponse> Update(IndexRuleBindingRegistryServiceUpdateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Update(RegistryRequests.Require(request.IndexRuleBinding, "index_rule_binding")) };

    /// <inheritdoc/>
    public override async Task<IndexRuleBindingRegistryServiceDeleteResponse> Delete(IndexRuleBindingRegistryServiceDeleteRequest request, ServerCallContext context)
    {
        SchemaDeletion deletion = await grains.Catalog().Delete(RegistryRequests.KeyOf(SchemaKind.IndexRuleBinding, request.Metadata));
        return new() { Deleted = deletion.Deleted, DeleteTime = deletion.DeleteTimeUnixNanos, ModRevision = deletion.Revision };
    }

    /// <inheritdoc/>
    public override async Task<IndexRuleBindingRegistryServiceGetResponse> Get(IndexRuleBindingRegistryServiceGetRequest request, ServerCallContext context) =>
        new() { IndexRuleBinding = (IndexRuleBinding)await grains.Catalog().Get(RegistryRequests.KeyOf(SchemaKind.IndexRuleBinding, request.Metadata)) };

    /// <inheritdoc/>
    public override async Task<IndexRuleBindingRegistryServiceListResponse> List(IndexRuleBindingRegistryServiceListRequest request, ServerCallContext context) =>
        new() { IndexRuleBinding = { (await grains.Catalog().List(SchemaKind.IndexRuleBinding, request.Group)).Cast<IndexRuleBinding>() } };

    /// <inheritdoc/>
    public override async Task<IndexRuleBindingRegistryServiceExistResponse> Exist(IndexRuleBindingRegistryServiceExistRequest request, ServerCallContext context)
    {
        SchemaExistence existence = await grains.Catalog().Exist(RegistryRequests.KeyOf(SchemaKind.IndexRuleBinding, request.Metadata));
        return new() { HasGroup = existence.HasGroup, HasIndexRuleBinding = existence.HasSchema };
    }
}
