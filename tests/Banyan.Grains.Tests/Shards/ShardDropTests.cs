using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Grains.Tests.Shards;

/// <summary>
/// <see cref="IShardGrain.Drop"/> on the cluster: nothing of the shard runs after it (its timers stop at once, though
/// the activation lives until it is idle), and the shards of a segment dropped at once all succeed, the segment folder
/// going with the last of them.
/// </summary>
[Collection(FakeClockClusterDefinition.Name)]
public sealed class ShardDropTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset s_segment = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_dropped_shards_timers_stop_while_its_activation_lives_on()
    {
        const string group = "drop-timers-g";
        ClusterShard shard = await ClusterShard.WrittenAsync(fixture, group, s_segment);

        Task drop;
        using (ShardDropGate.Gate gate = ShardDropGate.CloseAfter(group))
        {
            drop = fixture.Client.CallShardAsync(shard.Key, shard.Owner, g => g.Drop());
            await gate.DropHeld.WaitAsync(s_bound);

            // The drop ran and its answer is held: the activation is busy with the call and cannot go yet. A stream
            // shard's flush timer ticks every second; a tick on the closed shard would throw, and Orleans would log it.
            await Task.Delay(TimeSpan.FromSeconds(3.5));
        }

        await drop.WaitAsync(s_bound);
        Assert.DoesNotContain(RecordedWarnings.Entries, e => e.Contains(group, StringComparison.Ordinal));
        Assert.False(Directory.Exists(shard.Folder), "the shard's folder is deleted");
    }

    [Fact]
    public async Task Shards_of_one_segment_dropped_at_once_all_succeed_and_take_the_segment_folder()
    {
        const string group = "drop-together-g";
        const int shards = 6;
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(shards).WaitAsync(s_bound);
        for (int hour = 0; hour < 3; hour++)
        {
            DateTimeOffset segment = s_segment.AddHours(hour);
            ShardGrainKey[] keys = [.. Enumerable.Range(0, shards).Select(shard => new ShardGrainKey(group, segment, shard))];
            await Task.WhenAll(keys.Select(key => fixture.Client.CallShardAsync(
                key, owners.OwnerOf(key.Shard), g => g.Write(new ShardWrite("test", TestBatches.Stream(10, TestBatches.Nanos(segment))))))).WaitAsync(s_bound);

            await Task.WhenAll(keys.Select(key => fixture.Client.CallShardAsync(key, owners.OwnerOf(key.Shard), g => g.Drop()))).WaitAsync(s_bound);

            foreach (ShardGrainKey key in keys)
            {
                Assert.False(Directory.Exists(Path.GetDirectoryName(ShardFolder(owners.OwnerOf(key.Shard), key))), $"segment {segment:O} left on {owners.OwnerOf(key.Shard)}");
            }
        }

        Assert.DoesNotContain(RecordedWarnings.Entries, e => e.Contains(group, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_shard_that_cannot_be_opened_is_still_dropped()
    {
        ClusterShard shard = await ClusterShard.WrittenAsync(fixture, "drop-damaged-g", s_segment);
        await shard.DeactivateAsync();

        // Every WAL file's magic overwritten: the next open fails with a typed error (as any damage it cannot repair).
        await shard.DamageWalMagicAsync();

        // Calls other than the drop keep answering with the damage (the failed open, tried again after its retry interval)...
        Banyan.Storage.StorageCorruptionException damage = await Exceptions.CatchAsync<Banyan.Storage.StorageCorruptionException>(() => shard.CallAsync(g => g.GetStats()));
        Assert.Contains(".wal", damage.Message, StringComparison.Ordinal);
        await Exceptions.CatchAsync<Banyan.Storage.StorageCorruptionException>(() => shard.CallAsync(g => g.Write(new ShardWrite("test", TestBatches.Stream(1, TestBatches.Nanos(s_segment))))));

        // ...but an expired segment or a deleted group must still be able to take the shard away: the drop deletes it.
        await shard.CallAsync(g => g.Drop());
        Assert.False(Directory.Exists(shard.Folder), "the damaged shard's folder is deleted");
        ShardStats after = await shard.CallAsync(g => g.GetStats());
        Assert.Equal(0, after.Rows);
    }

    private string ShardFolder(string silo, ShardGrainKey key)
        => Path.Combine(fixture.SiloDataRoot(silo), key.Group, "seg-" + key.SegmentText, "shard-" + key.Shard);
}
