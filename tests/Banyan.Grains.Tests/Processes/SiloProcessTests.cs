using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Processes;

/// <summary>The real silo executable as a child process: state and acknowledged writes survive a graceful restart and a kill -9.</summary>
public sealed class SiloProcessTests : IDisposable
{
    private static readonly DateTimeOffset s_segment = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Grain_state_and_acknowledged_writes_survive_sigterm_and_kill_9()
    {
        const string node = "proc-node";
        const string group = "proc-g";
        SiloProcess.Endpoints endpoints = SiloProcess.Endpoints.Free();
        ShardGrainKey key = new(group, s_segment, 0);
        long t0 = TestBatches.Nanos(s_segment);

        // 1. Assign shards and write; stop gracefully (SIGTERM).
        await using (SiloProcess silo = await SiloProcess.StartAsync(_data.Path, node, endpoints))
        {
            await using (ClientHost client = await ClientHost.StartLocalhostAsync(endpoints.GatewayPort))
            {
                ShardOwners owners = await client.Client.GetGrain<IGroupGrain>(group).GetShardOwners(2).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal([node, node], owners.Owners.ToArray());
                await client.Client.CallShardAsync(key, node, g => g.Write(new ShardWrite("test", TestBatches.Stream(40, t0)))).WaitAsync(TimeSpan.FromSeconds(30));
            }

            Assert.True(await silo.StopAsync(), "the silo should stop by itself on SIGTERM");
            Assert.Equal(0, silo.Process.ExitCode);
        }

        Assert.True(File.Exists(Path.Combine(_data.Path, "_grains", "group", "proc-g.group.state")));
        Assert.True(Directory.Exists(Path.Combine(_data.Path, group, "seg-2026120300", "shard-0")));

        // 2. Restart: same assignment, same rows. Write more, extend the assignment, then kill -9.
        await using (SiloProcess silo = await SiloProcess.StartAsync(_data.Path, node, endpoints))
        {
            await using (ClientHost client = await ClientHost.StartLocalhostAsync(endpoints.GatewayPort))
            {
                Assert.Equal([node, node], (await client.Client.GetGrain<IGroupGrain>(group).GetShardOwners(2).WaitAsync(TimeSpan.FromSeconds(30))).Owners.ToArray());
                Assert.Equal(40, (await client.Client.CallShardAsync(key, node, g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(30))).Rows);
                await client.Client.CallShardAsync(key, node, g => g.Write(new ShardWrite("test", TestBatches.Stream(25, t0 + 1_000, firstElementId: 1_000)))).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(3, (await client.Client.GetGrain<IGroupGrain>(group).GetShardOwners(3).WaitAsync(TimeSpan.FromSeconds(30))).Owners.Length);
            }

            await silo.KillAsync();
        }

        // 3. After kill -9: everything acknowledged is there.
        await using (SiloProcess silo = await SiloProcess.StartAsync(_data.Path, node, endpoints))
        {
            await using ClientHost client = await ClientHost.StartLocalhostAsync(endpoints.GatewayPort);
            Assert.Equal([node, node, node], (await client.Client.GetGrain<IGroupGrain>(group).GetShardOwners(3).WaitAsync(TimeSpan.FromSeconds(30))).Owners.ToArray());
            Assert.Equal(65, (await client.Client.CallShardAsync(key, node, g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(30))).Rows);
            Assert.True(await silo.StopAsync());
        }
    }
}
