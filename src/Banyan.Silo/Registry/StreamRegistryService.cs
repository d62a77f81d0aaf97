using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Grpc.Core;
using DatabaseV1 = Banyan.Api.Database.V1;
using StreamSchema = Banyan.Api.Database.V1.Stream;

namespace Banyan.Silo.Registry;

/// <summary><c>database.v1.StreamRegistryService</c> over the metadata grain: map the request, call the grain, map the answer.</summary>
public sealed class StreamRegistryService(IGrainFactory grains) : DatabaseV1.StreamRegistryService.StreamRegistryServiceBase
{
    /// <inheritdoc/>
    public override async Task<StreamRegistryServiceCreateResponse> Create(StreamRegistryServiceCreateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Create(RegistryRequests.Require(request.Stream, "stream")) };

    /// <inheritdoc/>
    public override async Task<StreamRegistryServiceUpdateResponse> Update(StreamRegistryServiceUpdateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Update(RegistryRequests.Require(request.Stream, "stream")) };

    /// <inheritdoc/>
    public override async Task<StreamRegistryServiceDeleteResponse> Delete(StreamRegistryServiceDeleteRequest request, ServerCallContext context)
    {
        SchemaDeletion deletion = await grains.Catalog().Delete(RegistryRequests.KeyOf(SchemaKind.Stream, request.Metadata));
        return new() { Deleted = deletion.Deleted, DeleteTime = deletion.DeleteTimeUnixNanos, ModRevision = deletion.Revision };
    }

    /// <inheritdoc/>
    public override async Task<StreamRegistryServiceGetResponse> Get(StreamRegistryServiceGetRequest request, ServerCallContext context) =>
        new() { Stream = (StreamSchema)await grains.Catalog().Get(RegistryRequests.KeyOf(SchemaKind.Stream, request.Metadata)) };

    /// <inheritdoc/>
    public override async Task<StreamRegistryServiceListResponse> List(StreamRegistryServiceListRequest request, ServerCallContext context) =>
        new() { Stream = { (await grains.Catalog().List(SchemaKind.Stream, request.Group)).Cast<StreamSchema>() } };

    /// <inheritdoc/>
    public override async Task<StreamRegistryServiceExistResponse> Exist(StreamRegistryServiceExistRequest request, ServerCallContext context)
    {
        SchemaExistence existence = await grains.Catalog().Exist(RegistryRequests.KeyOf(SchemaKind.Stream, request.Metadata));
        return new() { HasGroup = existence.HasGroup, HasStream = existence.HasSchema };
    }
}
