using Banyan.Api.Common.V1;
using Banyan.Api.Database.V1;
using Banyan.Silo.Tests.Infrastructure;
using Banyan.Tests.Shared.Hosting;
using Banyan.Tests.Shared.Writes;
using Orleans;
using Orleans.Runtime;

namespace Banyan.Silo.Tests.Cluster;

/// <summary>
/// Two real silo hosts in one cluster (the second joins the first with <c>Silo:Cluster:PrimarySiloEndpoint</c>, as a
/// second silo process of the machine does): a schema created through one silo's gRPC API is served by the other,
/// writes through either land on the shards of both, a query through either answers every point, and
/// <c>GroupRegistryService/Inspect</c> reports what each node stores.
/// </summary>
public sealed class TwoSiloHostsTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_silos_serve_one_group_and_Inspect_reports_each_nodes_shards()
    {
        await using SiloHostProcess first = await SiloHostProcess.StartAsync("--Silo:NodeName=node-a");
        await using SiloHostProcess second = await SiloHostProcess.StartAsync("--Silo:NodeName=node-b", $"--Silo:Cluster:PrimarySiloEndpoint=127.0.0.1:{first.SiloPort}");
        await WaitForActiveSilosAsync(first, 2);

        // The schema is created through the first silo; the second serves it (its cache hears of the change).
        CpmGroup cpm = await CpmGroup.CreateAsync(new RegistryClients(first.Channel), "two-silos");
        RegistryClients secondRegistry = new(second.Channel);
        Assert.NotNull(await secondRegistry.GetAsync(WriteSchemas.Measure(cpm.Name)));

        // Two shards, two silos up at the first write: one shard each. Writes through either silo reach both.
        string[] entities = [.. Enumerable.Range(0, 16).Select(i => "e" + i)];
        Assert.All(await cpm.WriteAsync(second, entities[..8]), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        Assert.All(await cpm.WriteAsync(first, entities[8..]), r => Assert.Equal("STATUS_SUCCEED", r.Status));
        Assert.Equal(entities.Length, await cpm.CountAsync(first));
        Assert.Equal(entities.Length, await cpm.CountAsync(second));

        // Inspect, through either silo: one data_info per node, each with its own shard, the rows adding up.
        foreach (SiloHostProcess host in new[] { first, second })
        {
            GroupRegistryServiceInspectResponse inspected = await new RegistryClients(host.Channel).Groups.InspectAsync(
                new GroupRegistryServiceInspectRequest { Group = cpm.Name }, deadline: DateTime.UtcNow.Add(s_bound));
            Assert.Equal(["node-a", "node-b"], inspected.DataInfo.Select(d => d.Node.Metadata.Name));
            uint[] shardsA = [.. inspected.DataInfo[0].SegmentInfo.SelectMany(s => s.ShardInfo).Select(s => s.ShardId)];
            uint[] shardsB = [.. inspected.DataInfo[1].SegmentInfo.SelectMany(s => s.ShardInfo).Select(s => s.ShardId)];
            Assert.Equal([0u, 1u], shardsA.Concat(shardsB).Order());
            Assert.Equal(entities.Length, inspected.DataInfo.SelectMany(d => d.SegmentInfo).SelectMany(s => s.ShardInfo).Sum(s => s.DataCount));
            Assert.All(inspected.DataInfo, d => Assert.True(d.DataSizeBytes > 0, $"{d.Node.Metadata.Name} reports no bytes"));

            // Each node's shards are in its own data folder.
            foreach ((DataInfo data, SiloHostProcess owner) in inspected.DataInfo.Zip(new[] { first, second }))
            {
                foreach (ShardInfo shard in data.SegmentInfo.SelectMany(s => s.ShardInfo))
                {
                    Assert.NotEmpty(Directory.GetDirectories(Path.Combine(owner.DataRoot, cpm.Name), "shard-" + shard.ShardId, SearchOption.AllDirectories));
                }
            }
        }
    }

    // The second host has joined once the first one's membership lists both as active.
    private static async Task WaitForActiveSilosAsync(SiloHostProcess host, int count)
    {
        IManagementGrain management = host.Grains().GetGrain<IManagementGrain>(0);
        using CancellationTokenSource bound = new(s_bound);
        while ((await management.GetHosts(onlyActive: true)).Count < count)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), bound.Token);
        }
    }
}
