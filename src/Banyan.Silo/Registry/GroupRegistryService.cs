using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Grpc.Core;
using DatabaseV1 = Banyan.Api.Database.V1;

namespace Banyan.Silo.Registry;

/// <summary>
/// <c>database.v1.GroupRegistryService</c> over the metadata grain. <c>Query</c> answers the group's last deletion
/// task (<see cref="IGroupDeletionTaskGrain"/>: finished, since a deletion here is done when it answers); <c>Inspect</c> reports what each silo stores of the group
/// (<see cref="GroupInspection"/>). <c>Delete</c>, as BanyanDB's: <c>dry_run</c> reports the schemas only; a group
/// that holds data is refused without <c>force</c> (FAILED_PRECONDITION); <c>data_only</c> deletes the data and keeps the
/// schemas. Unlike BanyanDB, which runs the deletion as a background task and answers at once, the answer comes once it
/// is done (the data of shards whose silo is down is dropped by the group's lifecycle later).
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
        if (!request.DryRun && !request.Force)
        {
            // BanyanDB's liaison refuses to delete a group with data unless told to (bydbctl --force); a dry run is fine.
            await grains.Catalog().Get(SchemaKey.ForGroup(request.Group)); // NOT_FOUND first, as upstream answers
            if (await grains.GetGrain<IGroupGrain>(request.Group).HoldsData())
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"group {request.Group} is not empty, use force=true to delete non-empty groups"));
            }
        }

        SchemaDeletion deletion = request.DataOnly && !request.DryRun
            ? await grains.Catalog().DeleteGroupData(request.Group)
            : await grains.Catalog().DeleteGroup(request.Group, request.DryRun);
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
    public override Task<GroupRegistryServiceInspectResponse> Inspect(GroupRegistryServiceInspectRequest request, ServerCallContext context)
        => GroupInspection.InspectAsync(grains, request.Group);

    /// <inheritdoc/>
    /// <remarks>NOT_FOUND when the group was never deleted (BanyanDB: "deletion task for group g not found").</remarks>
    public override async Task<GroupRegistryServiceQueryResponse> Query(GroupRegistryServiceQueryRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Group))
        {
            throw new SchemaValidationException("group", "is required"); // INVALID_ARGUMENT, as every registry's missing field
        }

        GroupDeletionTask task = await grains.GetGrain<IGroupDeletionTaskGrain>(request.Group).Get()
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"deletion task for group {request.Group} not found"));
        return new GroupRegistryServiceQueryResponse { Task = task };
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
