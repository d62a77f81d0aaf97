using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Hosting;
using Grpc.Core;

namespace Banyan.Silo.Tests.Registry;

/// <summary><c>GroupRegistryService/Inspect</c>: the group, its schemas, and what the silo stores of it shard by shard.</summary>
public sealed class GroupInspectionTests
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task Inspect_reports_the_schemas_and_each_shards_rows_parts_and_bytes()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        CpmGroup cpm = await CpmGroup.CreateAsync(registry, "gi-data");

        // Before any write: the group and its schemas, no data.
        GroupRegistryServiceInspectResponse empty = await registry.Groups.InspectAsync(new GroupRegistryServiceInspectRequest { Group = cpm.Name }, deadline: Deadline);
        Assert.Equal(cpm.Name, empty.Group.Metadata.Name);
        Assert.Equal(["cpm"], empty.SchemaInfo.Measures);
        Assert.Empty(empty.DataInfo);

        Assert.All(await cpm.WriteAsync(host, "e1", "e2", "e3"), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        GroupRegistryServiceInspectResponse inspected = await registry.Groups.InspectAsync(new GroupRegistryServiceInspectRequest { Group = cpm.Name }, deadline: Deadline);
        DataInfo data = Assert.Single(inspected.DataInfo); // one silo
        Assert.False(string.IsNullOrEmpty(data.Node.Metadata.Name));
        SegmentInfo segment = Assert.Single(data.SegmentInfo);
        Assert.StartsWith("seg-", segment.SegmentId, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.Parse(segment.TimeRangeStart, System.Globalization.CultureInfo.InvariantCulture) <= cpm.Time);
        Assert.True(DateTimeOffset.Parse(segment.TimeRangeEnd, System.Globalization.CultureInfo.InvariantCulture) > cpm.Time);
        Assert.Equal(3, segment.ShardInfo.Sum(s => s.DataCount));
        Assert.All(segment.ShardInfo, s => Assert.True(s.DataSizeBytes > 0 && s.PartCount >= 1, $"shard {s.ShardId}: {s}"));
        Assert.Equal(segment.ShardInfo.Sum(s => s.DataSizeBytes), data.DataSizeBytes);

        RpcException missing = await Assert.ThrowsAsync<RpcException>(() => registry.Groups.InspectAsync(new GroupRegistryServiceInspectRequest { Group = "gi-none" }, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
