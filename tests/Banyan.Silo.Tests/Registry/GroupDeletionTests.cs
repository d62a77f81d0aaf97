using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Silo.Tests.Data;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Hosting;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Registry;

/// <summary>
/// <c>GroupRegistryService/Delete</c> with BanyanDB's <c>force</c> and <c>data_only</c>: a group that holds data is kept
/// unless the request forces its deletion, and a data-only deletion removes the data while the schemas stay in use.
/// </summary>
public sealed class GroupDeletionTests
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task A_group_that_holds_data_is_deleted_only_with_force_and_an_empty_one_without()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        (Metadata metadata, DateTimeOffset t) = await CreateMeasureAsync(registry, "gd-force");
        await WriteAsync(host, metadata, t, "e1", "e2");

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-force" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("group gd-force is not empty, use force=true to delete non-empty groups", refused.Status.Detail);
        Assert.Equal(2, await CountAsync(host, "gd-force", t));

        // A dry run needs no force; a forced deletion removes the group, its schemas and its data.
        Assert.Equal(["cpm"], (await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-force", DryRun = true }, deadline: Deadline)).SchemaInfo.Measures);
        await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-force", Force = true }, deadline: Deadline);
        Assert.False((await registry.Groups.ExistAsync(new GroupRegistryServiceExistRequest { Group = "gd-force" }, deadline: Deadline)).HasGroup);

        // A group that was never written to needs no force; one that does not exist is NOT_FOUND either way.
        await CreateMeasureAsync(registry, "gd-empty");
        await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-empty" }, deadline: Deadline);
        Assert.False((await registry.Groups.ExistAsync(new GroupRegistryServiceExistRequest { Group = "gd-empty" }, deadline: Deadline)).HasGroup);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-none" }, deadline: Deadline).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task A_data_only_deletion_removes_the_data_keeps_the_schemas_and_new_writes_land()
    {
        const string group = "gd-data";
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        (Metadata metadata, DateTimeOffset t) = await CreateMeasureAsync(registry, group);
        await WriteAsync(host, metadata, t, "e1", "e2", "e3");
        Measure measureBefore = (Measure)await registry.GetAsync(WriteSchemas.Measure(group));
        Group groupBefore = (Group)await registry.GetAsync(WriteSchemas.Group(group, Catalog.Measure));

        // Data-only deletion of a group with data needs force too, as upstream.
        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = group, DataOnly = true }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        GroupRegistryServiceDeleteResponse deleted = await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = group, DataOnly = true, Force = true }, deadline: Deadline);
        Assert.True(deleted.DeleteTime > 0);
        Assert.Null(deleted.SchemaInfo);

        // The schemas are as they were (the group is a new incarnation of itself: its create_revision is the deletion's),
        // the data is gone, and the measure takes new writes at once.
        Assert.Equal(measureBefore, await registry.GetAsync(WriteSchemas.Measure(group)));
        Group groupAfter = (Group)await registry.GetAsync(WriteSchemas.Group(group, Catalog.Measure));
        Assert.Equal(deleted.ModRevision, groupAfter.Metadata.CreateRevision);
        Assert.Equal(groupBefore.ResourceOpts, groupAfter.ResourceOpts);
        Assert.Equal(0, await CountAsync(host, group, t));
        Assert.Empty(Directory.GetDirectories(Path.Combine(host.DataRoot, group), "shard-*", SearchOption.AllDirectories));
        await WriteAsync(host, metadata, t, "e4");
        Assert.Equal(1, await CountAsync(host, group, t));

        // The old rows were deleted, not only hidden: a restart does not bring them back.
        await host.RestartAsync();
        Assert.Equal(1, await CountAsync(host, group, t));
    }

    private static async Task<(Metadata Metadata, DateTimeOffset T)> CreateMeasureAsync(RegistryClients registry, string group)
    {
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;
        return (metadata, DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds()));
    }

    private static async Task WriteAsync(SiloHostProcess host, Metadata metadata, DateTimeOffset t, params string[] entities)
    {
        List<MeasureV1.WriteRequest> requests = [.. entities.Select((entity, i) => WriteSchemas.Point(i == 0 ? metadata : null, (ulong)(i + 1), t, entity, 10 + i, 1.5))];
        Assert.All(await WriteExchange.MeasureAsync(host.Channel, requests), r => Assert.Equal("STATUS_SUCCEED", r.Status));
    }

    private static async Task<int> CountAsync(SiloHostProcess host, string group, DateTimeOffset t)
    {
        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = "cpm",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t.AddMinutes(-1)), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
        };
        return (await new MeasureV1.MeasureService.MeasureServiceClient(host.Channel).QueryAsync(request, deadline: Deadline)).DataPoints.Count;
    }
}
