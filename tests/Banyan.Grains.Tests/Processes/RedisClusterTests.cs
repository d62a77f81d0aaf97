using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using StackExchange.Redis;

namespace Banyan.Grains.Tests.Processes;

/// <summary>Two real silo processes and a client against a throw-away redis-server: Redis clustering and Redis grain storage.</summary>
public sealed class RedisClusterTests : IDisposable
{
    private static readonly DateTimeOffset s_segment = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [RedisFact]
    public async Task Two_silo_processes_share_redis_membership_and_grain_state()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        string clusterId = "redis-test-" + Guid.NewGuid().ToString("N")[..8];
        string[] redisArguments =
        [
            $"--ConfigFile={SiloProcess.RedisConfigPath}",
            $"--Silo:Cluster:RedisConnectionString={redis.ConnectionString}",
            $"--Silo:Cluster:ClusterId={clusterId}",
            $"--Silo:Cluster:ServiceId={clusterId}",
        ];
        SiloProcess.Endpoints endpointsA = SiloProcess.Endpoints.Free();
        SiloProcess.Endpoints endpointsB = SiloProcess.Endpoints.Free();
        await using SiloProcess a = await SiloProcess.StartAsync(Path.Combine(_data.Path, "a"), "node-a", endpointsA, redisArguments);
        await using SiloProcess b = await SiloProcess.StartAsync(Path.Combine(_data.Path, "b"), "node-b", endpointsB, redisArguments);
        await using ClientHost client = await ClientHost.StartRedisAsync(redis.ConnectionString, clusterId);

        const string group = "redis-g";
        ShardOwners owners = await client.Client.GetGrain<IGroupGrain>(group).GetShardOwners(2).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(["node-a", "node-b"], owners.Owners.ToArray());

        // Each shard is placed on its owner's process and writes to that process's disk.
        for (int shard = 0; shard < 2; shard++)
        {
            ShardGrainKey key = new(group, s_segment, shard);
            string owner = owners.OwnerOf(shard);
            await client.Client.CallShardAsync(key, owner, g => g.Write(new ShardWrite("test", TestBatches.Stream(10 + shard, TestBatches.Nanos(s_segment))))).WaitAsync(TimeSpan.FromSeconds(60));
            ShardStats stats = await client.Client.CallShardAsync(key, owner, g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(owner, stats.Node);
            Assert.Equal(10 + shard, stats.Rows);
            string ownerFolder = owner == "node-a" ? "a" : "b";
            Assert.True(Directory.Exists(Path.Combine(_data.Path, ownerFolder, group, "seg-2026120400", "shard-" + shard)));
        }

        // A client that knows only node-a's gateway still reaches node-b's shard: node-a forwards the
        // call to the other silo process.
        await using (ClientHost viaA = await ClientHost.StartLocalhostAsync(clusterId, endpointsA.GatewayPort))
        {
            ShardStats remote = await viaA.Client.CallShardAsync(new ShardGrainKey(group, s_segment, 1), "node-b", g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("node-b", remote.Node);
            Assert.Equal(11, remote.Rows);
        }

        // The group's assignment is in Redis, not in a silo's folder.
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "a", "_grains")));
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "b", "_grains")));
        await using (ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            IServer server = connection.GetServer(connection.GetEndPoints()[0]);
            RedisKey[] keys = [.. server.Keys(pattern: "*redis-g*")];
            RedisKey stateKey = Assert.Single(keys, k => k.ToString().Contains("group", StringComparison.Ordinal));
            string data = (string?)await connection.GetDatabase().HashGetAsync(stateKey, "data") ?? string.Empty;
            Assert.Contains("node-a", data, StringComparison.Ordinal);
            Assert.Contains("node-b", data, StringComparison.Ordinal);
        }

        // kill -9 one process: its shard becomes unavailable (never activated on the survivor); the group grain answers from Redis wherever it lives.
        await b.KillAsync();
        ShardGrainKey bKey = new(group, s_segment, 1);
        ShardUnavailableException? refused = await Eventually.MatchAsync(
            async () =>
            {
                try
                {
                    await client.Client.CallShardAsync(bKey, "node-b", g => g.GetStats()).WaitAsync(TimeSpan.FromSeconds(10));
                    return null;
                }
                catch (Exception e)
                {
                    return e as ShardUnavailableException ?? e.InnerException as ShardUnavailableException;
                }
            },
            e => e is not null,
            TimeSpan.FromSeconds(120),
            "ShardUnavailableException for node-b's shard");
        Assert.Equal("node-b", refused!.Owner);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "a", group, "seg-2026120400", "shard-1")));
        Assert.Equal(["node-a", "node-b"], (await client.Client.GetGrain<IGroupGrain>(group).GetShardOwners(2).WaitAsync(TimeSpan.FromSeconds(60))).Owners.ToArray());
        Assert.True(await a.StopAsync());
    }
}
