using Banyan.Api.Database.V1;
using Banyan.GrainInterfaces.Schema;
using Grpc.Core;
using DatabaseV1 = Banyan.Api.Database.V1;

namespace Banyan.Silo.Registry;

/// <summary><c>database.v1.MeasureRegistryService</c> over the metadata grain: map the request, call the grain, map the answer.</summary>
public sealed class MeasureRegistryService(IGrainFactory grains) : DatabaseV1.MeasureRegistryService.MeasureRegistryServiceBase
{
    /// <inheritdoc/>
    public override async Task<MeasureRegistryServiceCreateResponse> Create(MeasureRegistryServiceCreateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Create(RegistryRequests.Require(request.Measure, "measure")) };

    /// <inheritdoc/>
    public override async Task<MeasureRegistryServiceUpdateResponse> Update(MeasureRegistryServiceUpdateRequest request, ServerCallContext context) =>
        new() { ModRevision = await grains.Catalog().Update(RegistryRequests.Require(request.Measure, "measure")) };

    /// <inheritdoc/>
    public override async Task<MeasureRegistryServiceDeleteResponse> Delete(MeasureRegistryServiceDeleteRequest request, ServerCallContext context)
    {
        SchemaDeletion deletion = await grains.Catalog().Delete(RegistryRequests.KeyOf(SchemaKind.Measure, request.Metadata));
        return new() { Deleted = deletion.Deleted, DeleteTime = deletion.DeleteTimeUnixNanos, ModRevision = deletion.Revision };
    }

    /// <inheritdoc/>
    public override async Task<MeasureRegistryServiceGetResponse> Get(MeasureRegistryServiceGetRequest request, ServerCallContext context) =>
        new() { Measure = (Measure)await grains.Catalog().Get(RegistryRequests.KeyOf(SchemaKind.Measure, request.Metadata)) };

    /// <inheritdoc/>
    public override async Task<MeasureRegistryServiceListResponse> List(MeasureRegistryServiceListRequest request, ServerCallContext context) =>
        new() { Measure = { (await grains.Catalog().List(SchemaKind.Measure, request.Group)).Cast<Measure>() } };

    /// <inheritdoc/>
    public override async Task<MeasureRegistryServiceExistResponse> Exist(MeasureRegistryServiceExistRequest request, ServerCallContext context)
    {
        SchemaExistence existence = await grains.Catalog().Exist(RegistryRequests.KeyOf(SchemaKind.Measure, request.Metadata));
        return new() { HasGroup = existence.HasGroup, HasMeasure = existence.HasSchema };
    }
}
