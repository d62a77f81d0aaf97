using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Grpc.Core;
using DatabaseV1 = Banyan.Api.Database.V1;

namespace Banyan.Silo.Registry;

/// <summary>
/// <c>database.v1.GroupRegistryService</c> over the metadata grain. <c>Inspect</c> and <c>Query</c> (group deletion
/// tasks) are not served (UNIMPLEMENTED). <c>Delete</c> removes the group and every schema in it at once (BanyanDB runs
/// it as a background task and answers before it ends); <c>dry_run</c> reports the schemas only; <c>data_only</c> is
/// not supported yet; <c>force</c> is accepted (Banyan does not yet check whether the group holds data).
/// </summary>
public sealed class GroupRegistryService(IGrainFactory grains) : DatabaseV1.GroupRegistryService.GroupRegistryServiceBase
{
    /// <inheritdoc/>
    public override async Task<GroupRegistryServiceCreateResponse> Create(GroupRegistryServiceCreateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Create(RegistryRequests.Require(request.Group, "group")) };

    /// <inheritdoc/>
    public override async Task<GroupRegistryServiceUpdateResponse> Update(GroupRegistryServiceUpdateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Update(RegistryRequests.Require(request.Group, "group")) };

    /// <inheritdoc/>
    public override async Task<GroupRegistryServiceDeleteResponse> Delete(GroupRegistryServiceDeleteRequest request, ServerCallContext context)
    {
        if (request.DataOnly)
        {
            throw new NotSupportedException("data_only: deleting a group's data while keeping its schemas is not supported yet");
        }

        SchemaDeletion deletion = await grains.Catalog().DeleteGroup(request.Group, request.DryRun);
        GroupRegistryServiceDeleteResponse response = new()
        {
            DeleteTime = deletion.DeleteTimeUnixNanos,
            ModRevision = deletion.Revision,
        };
        if (deletion.Contents is { } contents)
        {
            response.SchemaInfo = new SchemaInfo
            {
                Streams = { contents.Streams },
                Measures = { contents.Measures },
                IndexRules = { contents.IndexRules },
                IndexRuleBindings = { contents.IndexRuleBindings },
                TopnAggregations = { contents.TopNAggregations },
            };
        }

        return response;
    }

    /// <inheritdoc/>
    public override async Task<GroupRegistryServiceGetResponse> Get(GroupRegistryServiceGetRequest request, ServerCallContext context) =>
        new() { Group = (Group)await grains.Catalog().Get(SchemaKey.ForGroup(request.Group)) };

    /// <inheritdoc/>
    public override async Task<GroupRegistryServiceListResponse> List(GroupRegistryServiceListRequest request, ServerCallContext context) =>
        new() { Group = { (await grains.Catalog().List(SchemaKind.Group, string.Empty)).Cast<Group>() } };

    /// <inheritdoc/>
    public override async Task<GroupRegistryServiceExistResponse> Exist(GroupRegistryServiceExistRequest request, ServerCallContext context) =>
        new() { HasGroup = (await grains.Catalog().Exist(SchemaKey.ForGroup(request.Group))).HasGroup };
}
