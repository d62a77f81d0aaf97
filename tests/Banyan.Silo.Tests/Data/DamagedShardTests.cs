using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Api.Model.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Hosting;
using Banyan.Tests.Shared.Writes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// A shard whose files are damaged, as a user of the gRPC API meets it after a restart: queries that need it answer
/// DATA_LOSS naming the file and the offset, the silo goes on serving, and deleting the group still removes the shard.
/// </summary>
public sealed class DamagedShardTests
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task A_damaged_shard_is_DATA_LOSS_naming_the_file_and_its_group_can_still_be_deleted()
    {
        const string group = "gq-damaged";
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;
        DateTimeOffset t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds());
        List<MeasureV1.WriteResponse> written = await WriteExchange.MeasureAsync(host.Channel,
        [
            WriteSchemas.Point(metadata, 1, t, "e1", 10, 1.5),
            WriteSchemas.Point(null, 2, t.AddMinutes(1), "e2", 30, 2.5),
        ]);
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));
        await host.StopAsync();

        // Every WAL file of the group's shards gets a wrong magic: the shard cannot be opened any more.
        string groupFolder = Path.Combine(host.DataRoot, group);
        string[] walFiles = Directory.GetFiles(groupFolder, "*.wal", SearchOption.AllDirectories);
        Assert.NotEmpty(walFiles);
        foreach (string file in walFiles)
        {
            await using FileStream stream = new(file, FileMode.Open, FileAccess.Write);
            await stream.WriteAsync("XXXX"u8.ToArray());
        }

        await host.RestartAsync();
        registry = new RegistryClients(host.Channel);
        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = "cpm",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            TagProjection = new TagProjection { TagFamilies = { new TagProjection.Types.TagFamily { Name = "default", Tags = { "entity_id" } } } },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
        };
        MeasureV1.MeasureService.MeasureServiceClient measures = new(host.Channel);
        RpcException damaged = await Assert.ThrowsAsync<RpcException>(() => measures.QueryAsync(request, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.DataLoss, damaged.StatusCode);
        Assert.Contains(".wal' at offset 0", damaged.Status.Detail, StringComparison.Ordinal);

        // A write to the damaged shard is refused with the reason, the stream goes on.
        List<MeasureV1.WriteResponse> refused = await WriteExchange.MeasureAsync(host.Channel, [WriteSchemas.Point(metadata, 3, t, "e1", 11, 1.0)]);
        Assert.Equal("STATUS_INTERNAL_ERROR", Assert.Single(refused).Status);

        // The silo goes on serving, and the group's deletion drops the damaged shards with the rest.
        Assert.NotNull(await registry.GetAsync(WriteSchemas.Measure(group)));
        await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = group, Force = true }, deadline: Deadline);
        Assert.Empty(Directory.GetDirectories(groupFolder, "shard-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_restart_with_WAL_repair_opens_a_shard_whose_log_is_damaged()
    {
        const string group = "gq-repaired";
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        RegistryClients registry = new(host.Channel);
        await registry.CreateAsync(WriteSchemas.Group(group, Catalog.Measure));
        await registry.CreateAsync(WriteSchemas.Measure(group));
        Metadata metadata = ((Measure)await registry.GetAsync(WriteSchemas.Measure(group))).Metadata;
        DateTimeOffset t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds());
        List<MeasureV1.WriteResponse> written = await WriteExchange.MeasureAsync(host.Channel,
        [
            WriteSchemas.Point(metadata, 1, t, "e1", 10, 1.5),
            WriteSchemas.Point(null, 2, t.AddMinutes(1), "e2", 30, 2.5),
        ]);
        Assert.All(written, r => Assert.Equal("STATUS_SUCCEED", r.Status));

        // The graceful stop flushed the rows into parts; the WAL files it leaves are damaged afterwards.
        await host.StopAsync();
        foreach (string file in Directory.GetFiles(Path.Combine(host.DataRoot, group), "*.wal", SearchOption.AllDirectories))
        {
            await using FileStream stream = new(file, FileMode.Open, FileAccess.Write);
            await stream.WriteAsync("XXXX"u8.ToArray());
        }

        MeasureV1.QueryRequest request = new()
        {
            Groups = { group },
            Name = "cpm",
            TimeRange = new TimeRange { Begin = Timestamp.FromDateTimeOffset(t), End = Timestamp.FromDateTimeOffset(t.AddMinutes(1)) },
            FieldProjection = new MeasureV1.QueryRequest.Types.FieldProjection { Names = { "total" } },
        };

        // By default the damaged log is refused...
        await host.RestartAsync();
        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => new MeasureV1.MeasureService.MeasureServiceClient(host.Channel).QueryAsync(request, deadline: Deadline).ResponseAsync);
        Assert.Equal(StatusCode.DataLoss, refused.StatusCode);

        // ...and the operator's repair opens the shard with what came before the damage: here every row, in its parts.
        await host.RestartAsync("--Silo:Shard:WalRecovery=Repair");
        Assert.Equal(2, (await new MeasureV1.MeasureService.MeasureServiceClient(host.Channel).QueryAsync(request, deadline: Deadline)).DataPoints.Count);

        // The repaired log is whole again: the next start without the setting opens it.
        await host.RestartAsync();
        Assert.Equal(2, (await new MeasureV1.MeasureService.MeasureServiceClient(host.Channel).QueryAsync(request, deadline: Deadline)).DataPoints.Count);
    }
}
