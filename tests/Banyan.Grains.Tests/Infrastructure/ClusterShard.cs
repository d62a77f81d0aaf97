using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Shards;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Grains.Tests.Infrastructure;

/// <summary>
/// Shard 0 of a one-shard group on the fake-clock cluster, written through its grain on its owner: for the tests that
/// deactivate it, damage its files and call it again.
/// </summary>
/// <param name="Fixture">The cluster.</param>
/// <param name="Key">The shard grain's key.</param>
/// <param name="Owner">The node that owns the shard.</param>
public sealed record ClusterShard(FakeClockClusterFixture Fixture, ShardGrainKey Key, string Owner)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    /// <summary>The shard's folder on its owner.</summary>
    public string Folder => Path.Combine(Fixture.SiloDataRoot(Owner), Key.Group, "seg-" + Key.SegmentText, "shard-" + Key.Shard);

    /// <summary>Shard 0 of <paramref name="group"/>'s segment starting at <paramref name="segment"/>, with <paramref name="rows"/> stream rows written.</summary>
    public static async Task<ClusterShard> WrittenAsync(FakeClockClusterFixture fixture, string group, DateTimeOffset segment, int rows = 10)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(1).WaitAsync(s_bound);
        ClusterShard shard = new(fixture, new ShardGrainKey(group, segment, 0), owners.OwnerOf(0));
        await shard.CallAsync(g => g.Write(new ShardWrite("test", TestBatches.Stream(rows, TestBatches.Nanos(segment)))));
        return shard;
    }

    /// <summary>Calls the shard grain on its owner (bounded).</summary>
    public Task<T> CallAsync<T>(Func<IShardGrain, Task<T>> call) => Fixture.Client.CallShardAsync(Key, Owner, call).WaitAsync(s_bound);

    /// <summary>Calls the shard grain on its owner (bounded).</summary>
    public Task CallAsync(Func<IShardGrain, Task> call) => Fixture.Client.CallShardAsync(Key, Owner, call).WaitAsync(s_bound);

    /// <summary>Deactivates the shard grain (it flushes and closes its shard), so the next call opens the files again.</summary>
    public Task DeactivateAsync() => Fixture.Cluster.DeactivateAsync(Fixture.Client.GetGrain<IShardGrain>(Key.ToString())).WaitAsync(s_bound);

    /// <summary>
    /// Overwrites the magic of every WAL file of the (deactivated) shard, so its next open fails with a typed error as
    /// for any damage it cannot repair; returns each file's original first four bytes.
    /// </summary>
    public async Task<Dictionary<string, byte[]>> DamageWalMagicAsync()
    {
        string[] files = Directory.GetFiles(Path.Combine(Folder, "wal"), "*.wal");
        Assert.NotEmpty(files);
        Dictionary<string, byte[]> originals = new(StringComparer.Ordinal);
        foreach (string file in files)
        {
            originals[file] = (await File.ReadAllBytesAsync(file))[..4];
            await using FileStream stream = new(file, FileMode.Open, FileAccess.Write);
            await stream.WriteAsync("XXXX"u8.ToArray());
        }

        return originals;
    }
}
