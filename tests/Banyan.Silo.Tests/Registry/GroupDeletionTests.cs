using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Hosting;
using Banyan.Tests.Shared.Writes;
using Grpc.Core;

namespace Banyan.Silo.Tests.Registry;

/// <summary>
/// <c>GroupRegistryService/Delete</c> with BanyanDB's <c>force</c> and <c>data_only</c>: a group that holds data is kept
/// unless the request forces its deletion, and a data-only deletion removes the data while the schemas stay in use.
/// Each deletion leaves its task for <c>GroupRegistryService/Query</c> (finished, as BanyanDB's clients poll for it).
/// </summary>
public sealed class GroupDeletionTests
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task A_group_that_holds_data_is_deleted_only_with_force_and_an_empty_one_without()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        CpmGroup cpm = await CpmGroup.CreateAsync(registry, "gd-force");
        Assert.All(await cpm.WriteAsync(host, "e1", "e2"), r => Assert.Equal("STATUS_SUCCEED", r.Status));

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-force" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("group gd-force is not empty, use force=true to delete non-empty groups", refused.Status.Detail);
        Assert.Equal(2, await cpm.CountAsync(host));

        // A dry run needs no force; a forced deletion removes the group, its schemas and its data.
        Assert.Equal(["cpm"], (await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-force", DryRun = true }, deadline: Deadline)).SchemaInfo.Measures);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => registry.Groups.QueryAsync(new GroupRegistryServiceQueryRequest { Group = "gd-force" }, deadline: Deadline).ResponseAsync)).StatusCode);
        DateTimeOffset before = DateTimeOffset.UtcNow;
        await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = "gd-force", Force = true }, deadline: Deadline);
        Assert.False((await registry.Groups.ExistAsync(new GroupRegistryServiceExistRequest { Group = "gd-force" }, deadline: Deadline)).HasGroup);

        // The deletion's task, as BanyanDB's clients poll for it: finished, with what it deleted by kind.
        GroupDeletionTask task = (await registry.Groups.QueryAsync(new GroupRegistryServiceQueryRequest { Group = "gd-force" }, deadline: Deadline)).Task;
        Assert.Equal(GroupDeletionTask.Types.Phase.Completed, task.CurrentPhase);
        Assert.Equal("group deleted successfully", task.Message);
        Assert.Equal(1, task.TotalCounts["measure"]);
        Assert.Equal(0, task.TotalCounts["stream"]);
        Assert.Equal(task.TotalCounts, task.DeletedCounts);
        Assert.True(task.CreatedAt.ToDateTimeOffset() >= before.AddSeconds(-1) && task.UpdatedAt >= task.CreatedAt, task.ToString());

        // It is kept: a restart answers it too.
        await host.RestartAsync();
        registry = new RegistryClients(host.Channel);
        Assert.Equal(task, (await registry.Groups.QueryAsync(new GroupRegistryServiceQueryRequest { Group = "gd-force" }, deadline: Deadline)).Task);

        // A group that was never written to needs no force; one that does not exist is NOT_FOUND either way.
        await CpmGroup.CreateAsync(registry, "gd-empty");
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
        CpmGroup cpm = await CpmGroup.CreateAsync(registry, group);
        Assert.All(await cpm.WriteAsync(host, "e1", "e2", "e3"), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        Measure measureBefore = (Measure)await registry.GetAsync(WriteSchemas.Measure(group));
        Group groupBefore = (Group)await registry.GetAsync(WriteSchemas.Group(group, Catalog.Measure));

        // Data-only deletion of a group with data needs force too, as upstream.
        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = group, DataOnly = true }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        GroupRegistryServiceDeleteResponse deleted = await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = group, DataOnly = true, Force = true }, deadline: Deadline);
        Assert.True(deleted.DeleteTime > 0);
        Assert.Null(deleted.SchemaInfo);
        GroupDeletionTask task = (await registry.Groups.QueryAsync(new GroupRegistryServiceQueryRequest { Group = group }, deadline: Deadline)).Task;
        Assert.Equal((GroupDeletionTask.Types.Phase.Completed, "data files deleted successfully"), (task.CurrentPhase, task.Message));
        Assert.Empty(task.TotalCounts); // no schema deleted

        // The schemas are as they were (the group is a new incarnation of itself: its create_revision is the deletion's),
        // the data is gone from queries and from disk, and the measure takes new writes at once.
        Assert.Equal(measureBefore, await registry.GetAsync(WriteSchemas.Measure(group)));
        Group groupAfter = (Group)await registry.GetAsync(WriteSchemas.Group(group, Catalog.Measure));
        Assert.Equal(deleted.ModRevision, groupAfter.Metadata.CreateRevision);
        Assert.Equal(groupBefore.ResourceOpts, groupAfter.ResourceOpts);
        Assert.Equal(0, await cpm.CountAsync(host));
        Assert.Empty(Directory.GetDirectories(Path.Combine(host.DataRoot, group), "shard-*", SearchOption.AllDirectories));
        Assert.All(await cpm.WriteAsync(host, "e4"), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        Assert.Equal(1, await cpm.CountAsync(host));

        // The old rows were deleted, not only hidden: a restart does not bring them back.
        await host.RestartAsync();
        Assert.Equal(1, await cpm.CountAsync(host));
    }
}
