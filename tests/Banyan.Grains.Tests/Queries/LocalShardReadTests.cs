using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Queries;
using Banyan.Grains.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// A query reads the shards open on its own silo without calling their grains (<see cref="LocalShards"/>) and the others
/// through their grains, with the same answer; a shard grain that deactivates while such a read is in progress closes
/// its engine shard only after the read has left, and queries after it go through the grain again.
/// </summary>
[Collection(FakeClockClusterDefinition.Name)]
public sealed class LocalShardReadTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_shard_s_own_silo_reads_it_directly_and_the_other_silo_through_its_grain()
    {
        const string group = "local-read-g";
        DateTimeOffset hour = HourlyCpm.Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await HourlyCpm.CreateAsync(fixture.Client, group, shards: 1);
        await HourlyCpm.WriteAsync(fixture.Client, metadata, (hour.AddMinutes(1), "e1", 1), (hour.AddMinutes(2), "e2", 2), (hour.AddMinutes(3), "e1", 3));
        (SiloHandle owner, SiloHandle other) = await SilosOfAsync(new ShardGrainKey(group, hour, 0));
        LocalShards ownerShards = Services(owner).GetRequiredService<LocalShards>();
        long before = ownerShards.Reads;

        List<long> fromOther = HourlyCpm.TotalsOf(await Services(other).GetRequiredService<MeasureQueryRunner>().QueryAsync(HourlyCpm.Totals(group, hour, hour.AddMinutes(59))).WaitAsync(s_bound));
        Assert.Equal(before, ownerShards.Reads);

        List<long> fromOwner = HourlyCpm.TotalsOf(await Services(owner).GetRequiredService<MeasureQueryRunner>().QueryAsync(HourlyCpm.Totals(group, hour, hour.AddMinutes(59))).WaitAsync(s_bound));
        Assert.Equal(before + 1, ownerShards.Reads);

        Assert.Equal([1, 2, 3], fromOther);
        Assert.Equal(fromOther, fromOwner);
    }

    [Fact]
    public async Task A_shard_grain_deactivated_during_a_direct_read_closes_its_shard_after_the_read()
    {
        const string group = "local-read-close-g";
        DateTimeOffset hour = await CloseDuringHeldReadAsync(group, key => fixture.Cluster.DeactivateAsync(fixture.Client.GetGrain<IShardGrain>(key.ToString())), "the deactivation");

        // The next query opens the shard again through its grain.
        Assert.Equal([1, 2], await HourlyCpm.TotalsAsync(fixture.Client, group, hour, hour.AddMinutes(59)));
    }

    [Fact]
    public async Task A_shard_dropped_during_a_direct_read_is_deleted_after_the_read()
    {
        const string group = "local-read-drop-g";
        DateTimeOffset hour = await CloseDuringHeldReadAsync(
            group,
            async key =>
            {
                ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(1).WaitAsync(s_bound);
                await fixture.Client.CallShardAsync(key, owners.OwnerOf(0), g => g.Drop());
            },
            "the drop");

        Assert.DoesNotContain(fixture.Cluster.GetActiveSilos(), silo => Services(silo).GetRequiredService<LocalShards>().Contains(new ShardGrainKey(group, hour, 0)));
    }

    [Fact]
    public async Task A_shard_created_by_its_first_write_reads_through_its_series_index_at_once()
    {
        // The shard grain opens the shard for its first write, before that write configures the subject and so creates
        // the series index: reads go through the index from then on, not only after the grain's next activation.
        const string group = "local-read-index-g";
        DateTimeOffset hour = HourlyCpm.Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await HourlyCpm.CreateAsync(fixture.Client, group, shards: 1);
        await HourlyCpm.WriteAsync(fixture.Client, metadata, [(hour.AddMinutes(1), "e1", 1L)]);
        ShardGrainKey key = new(group, hour, 0);
        (SiloHandle owner, _) = await SilosOfAsync(key);
        Assert.True(Services(owner).GetRequiredService<LocalShards>().TryEnter(key, out LocalShard? shard));
        try
        {
            Assert.True(shard.Reader.UsesSeriesIndex, "a measure shard's reads use its series index once its first write is in");
        }
        finally
        {
            shard.Exit();
        }
    }

    [Fact]
    public async Task A_read_beside_other_reads_answers_as_a_read_alone()
    {
        // Over 1,024 series a read made beside others moves its work to the thread pool (ShardReader): the answer is the same.
        const string group = "local-read-beside-g";
        DateTimeOffset hour = HourlyCpm.Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await HourlyCpm.CreateAsync(fixture.Client, group, shards: 1);
        await HourlyCpm.WriteAsync(fixture.Client, metadata, [.. Enumerable.Range(0, 1100).Select(i => (hour.AddMinutes(1 + (i % 50)), "e" + i, (long)i))]);
        ShardGrainKey key = new(group, hour, 0);
        (SiloHandle owner, _) = await SilosOfAsync(key);
        ShardColumn entity = new("default", "entity_id");
        ShardQuery query = new(
            "cpm",
            hour.ToUnixTimeMilliseconds() * 1_000_000,
            hour.AddHours(1).ToUnixTimeMilliseconds() * 1_000_000 - 1,
            null,
            [entity, new ShardColumn(null, "total")],
            10_000,
            new ShardGrouping([entity], "total", Descending: true, NeedsSum: false));

        Assert.True(Services(owner).GetRequiredService<LocalShards>().TryEnter(key, out LocalShard? shard));
        try
        {
            ShardRows alone = await shard.Reader.QueryAsync(query, concurrent: false).WaitAsync(s_bound);
            ShardRows beside = await shard.Reader.QueryAsync(query, concurrent: true).WaitAsync(s_bound);

            Assert.Equal(1100, alone.Rows.Count);
            Assert.Equal(alone.Rows.Count, beside.Rows.Count);
            Assert.Equal(alone.Partials.Length, beside.Partials.Length);
            for (int i = 0; i < alone.Partials.Length; i++)
            {
                Assert.True(alone.Partials[i] == beside.Partials[i], $"row {i}: {alone.Partials[i]} vs {beside.Partials[i]}");
            }
        }
        finally
        {
            shard.Exit();
        }
    }

    // Writes two points to the one shard of a new group, holds a direct read of it on its silo and starts close (a
    // deactivation or a drop): the grain withdraws the shard from the local reads at once (new reads go through the grain),
    // but the close waits for the held read, which still reads an open engine shard (a second is ample for a close that
    // did not wait), and completes once the read leaves. The start of the points' hour.
    private async Task<DateTimeOffset> CloseDuringHeldReadAsync(string group, Func<ShardGrainKey, Task> close, string what)
    {
        DateTimeOffset hour = HourlyCpm.Hour(fixture.Clock.GetUtcNow());
        Metadata metadata = await HourlyCpm.CreateAsync(fixture.Client, group, shards: 1);
        await HourlyCpm.WriteAsync(fixture.Client, metadata, (hour.AddMinutes(1), "e1", 1), (hour.AddMinutes(2), "e2", 2));
        ShardGrainKey key = new(group, hour, 0);
        (SiloHandle owner, _) = await SilosOfAsync(key);
        LocalShards shards = Services(owner).GetRequiredService<LocalShards>();
        ShardQuery query = new("cpm", hour.ToUnixTimeMilliseconds() * 1_000_000, hour.AddHours(1).ToUnixTimeMilliseconds() * 1_000_000 - 1, null, [new ShardColumn(null, "total")], 1000);

        Assert.True(shards.TryEnter(key, out LocalShard? held));
        Task closing;
        try
        {
            closing = close(key);
            await Eventually.MatchAsync(() => Task.FromResult(shards.Contains(key)), contains => !contains, s_bound, "the shard withdrawn from the local reads");
            await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(1)));
            Assert.False(closing.IsCompleted, $"{what} waits for the read in progress");
            Assert.Equal(2, (await held.Reader.QueryAsync(query).WaitAsync(s_bound)).Rows.Count);
        }
        finally
        {
            held.Exit();
        }

        await closing.WaitAsync(s_bound);
        return hour;
    }

    private IServiceProvider Services(SiloHandle silo) => fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress);

    // The silo where the shard grain of key is open (its shard registered for local reads), and another silo.
    private async Task<(SiloHandle Owner, SiloHandle Other)> SilosOfAsync(ShardGrainKey key)
    {
        IReadOnlyList<SiloHandle> silos = fixture.Cluster.GetActiveSilos().ToList();
        SiloHandle? owner = await Eventually.MatchAsync(
            () => Task.FromResult(silos.FirstOrDefault(s => Services(s).GetRequiredService<LocalShards>().Contains(key))),
            silo => silo is not null,
            s_bound,
            $"shard {key} open on a silo");
        return (owner!, silos.First(s => s != owner));
    }
}
