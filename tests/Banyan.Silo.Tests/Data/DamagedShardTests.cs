using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Hosting;
using Banyan.Tests.Shared.Writes;
using Grpc.Core;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// A shard whose files are damaged, as a user of the gRPC API meets it after a restart: queries that need it answer
/// DATA_LOSS naming the file and the offset, the silo goes on serving, deleting the group still removes the shard, and a
/// restart with <c>Silo:Shard:WalRecovery=Repair</c> opens a shard whose WAL is damaged.
/// </summary>
public sealed class DamagedShardTests
{
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task A_damaged_shard_is_DATA_LOSS_naming_the_file_and_its_group_can_still_be_deleted()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        CpmGroup cpm = await CpmGroup.CreateAsync(new RegistryClients(host.Channel), "gq-damaged");
        Assert.All(await cpm.WriteAsync(host, "e1", "e2"), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        await host.StopAsync();
        Assert.NotEmpty(await cpm.DamageWalFilesAsync(host));

        await host.RestartAsync();
        RegistryClients registry = new(host.Channel);
        RpcException damaged = await Assert.ThrowsAsync<RpcException>(() => cpm.CountAsync(host));
        Assert.Equal(StatusCode.DataLoss, damaged.StatusCode);
        Assert.Contains(".wal' at offset 0", damaged.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Silo:Shard:WalRecovery=Repair", damaged.Status.Detail, StringComparison.Ordinal); // what the operator can do

        // A write to the damaged shard is refused with the reason, the stream goes on.
        List<MeasureV1.WriteResponse> refused = await cpm.WriteAsync(host, "e1");
        Assert.Equal("STATUS_INTERNAL_ERROR", Assert.Single(refused).Status);

        // The silo goes on serving, and the group's deletion drops the damaged shards with the rest.
        Assert.NotNull(await registry.GetAsync(WriteSchemas.Measure(cpm.Name)));
        await registry.Groups.DeleteAsync(new GroupRegistryServiceDeleteRequest { Group = cpm.Name, Force = true }, deadline: Deadline);
        Assert.Empty(Directory.GetDirectories(Path.Combine(host.DataRoot, cpm.Name), "shard-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_restart_with_WAL_repair_opens_a_shard_whose_log_is_damaged()
    {
        await using SiloHostProcess host = await SiloHostProcess.StartAsync();
        CpmGroup cpm = await CpmGroup.CreateAsync(new RegistryClients(host.Channel), "gq-repaired");
        Assert.All(await cpm.WriteAsync(host, "e1", "e2"), r => Assert.Equal("STATUS_SUCCEED", r.Status));

        // The graceful stop flushed the rows into parts; the WAL files it leaves are damaged afterwards.
        await host.StopAsync();
        Assert.NotEmpty(await cpm.DamageWalFilesAsync(host));

        // By default the damaged log is refused...
        await host.RestartAsync();
        Assert.Equal(StatusCode.DataLoss, (await Assert.ThrowsAsync<RpcException>(() => cpm.CountAsync(host))).StatusCode);

        // ...and the operator's repair opens the shard with what came before the damage: here every row, in its parts.
        await host.RestartAsync("--Silo:Shard:WalRecovery=Repair");
        Assert.Equal(2, await cpm.CountAsync(host));

        // The repaired log is whole again: the next start without the setting opens it.
        await host.RestartAsync();
        Assert.Equal(2, await cpm.CountAsync(host));
    }
}
