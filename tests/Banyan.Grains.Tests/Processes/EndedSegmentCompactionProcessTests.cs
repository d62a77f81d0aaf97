using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Grains.Tests.Queries;

namespace Banyan.Grains.Tests.Processes;

/// <summary>
/// A shard of a segment that time has moved past is merged into one part once it has been quiet for
/// <c>Silo:Shard:CompactAfterIdle</c>, in the real silo executable with its timers (merge every second, compaction after
/// two quiet seconds here).
/// </summary>
public sealed class EndedSegmentCompactionProcessTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_quiet_ended_segment_ends_in_one_part_with_every_row()
    {
        const string node = "compact-node";
        const string group = "compact-g";
        SiloProcess.Endpoints endpoints = SiloProcess.Endpoints.Free();
        DateTimeOffset today = new(DateTimeOffset.UtcNow.Date, TimeSpan.Zero);
        DateTimeOffset segment = today.AddDays(-2); // daily segments, 7 days of TTL: ended, not expired
        ShardGrainKey key = new(group, segment, 0);
        long t0 = TestBatches.Nanos(segment);

        await using SiloProcess silo = await SiloProcess.StartAsync(
            _data.Path, node, endpoints, "--Silo:Shard:MergePeriod=00:00:01", "--Silo:Shard:CompactAfterIdle=00:00:02");
        await using ClientHost client = await ClientHost.StartLocalhostAsync(endpoints.GatewayPort);
        await Schemas.CreateAsync(client.Client, QuerySchemas.Group(group, Api.Common.V1.Catalog.Stream, shards: 1));
        await client.Client.GetGrain<IGroupGrain>(group).GetShardOwners(1).WaitAsync(TimeSpan.FromSeconds(30));

        // Three flushed parts of one size: below the tiered policy's ratio of 4, so only the compaction merges them.
        for (int i = 0; i < 3; i++)
        {
            long first = t0 + (i * 1_000_000_000L);
            await client.Client.CallShardAsync(key, node, g => g.Write(new ShardWrite("test", TestBatches.Stream(50, first, firstElementId: 1 + (i * 100))))).WaitAsync(TimeSpan.FromSeconds(30));
            await client.Client.CallShardAsync(key, node, g => g.Flush()).WaitAsync(TimeSpan.FromSeconds(30));
        }

        ShardStats compacted = await Eventually.MatchAsync(
            () => client.Client.CallShardAsync(key, node, g => g.GetStats()),
            s => s.DiskParts == 1 && s.MemoryParts == 0,
            TimeSpan.FromSeconds(60),
            "compaction of the ended segment's shard into one part");
        Assert.Equal(150, compacted.Rows);

        // Settled too: only the compacted part's folder is left beside the WAL and the indexes.
        string shardFolder = Path.Combine(_data.Path, group, "seg-" + key.SegmentText, "shard-0");
        await Eventually.MatchAsync(
            () => Task.FromResult(Directory.GetDirectories(shardFolder).Count(d => Path.GetFileName(d).Length == 16)),
            parts => parts == 1,
            TimeSpan.FromSeconds(30),
            "the merged-away parts deleted");
        Assert.True(await silo.StopAsync());
    }
}
