using Banyan.Storage.Parts;
using Banyan.Storage.Shards;
using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// A shard with nothing left to merge settles: it lists its parts again in a new snapshot, so the fallback snapshot
/// stops holding the inputs of the last merge and the WAL records before the newest flush point. Before this, a shard
/// that went quiet right after a merge kept both the merged part and its inputs (up to twice its bytes) until its
/// next write.
/// </summary>
public sealed class ShardSettleTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options() => new()
    {
        WalEnabled = true,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
    };

    private static string[] PartFolders(string shardPath) =>
        [.. Directory.GetDirectories(shardPath).Select(Path.GetFileName).Where(n => n!.Length == 16).Order()!];

    private static long WalBytes(string shardPath) =>
        Directory.GetFiles(Path.Combine(shardPath, "wal")).Sum(f => new FileInfo(f).Length);

    private static List<ShardSnapshotRecord> Snapshots(string shardPath) =>
        [.. Directory.GetFiles(shardPath, "*.snp").Order().Select(f => SnapshotFile.Decode(f, File.ReadAllBytes(f)))];

    [Fact]
    public void A_merge_pass_with_nothing_to_merge_deletes_the_last_merges_inputs()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options());
        for (int i = 0; i < 3; i++)
        {
            shard.Write(FloatRows.Batch(i));
            Assert.True(shard.Flush());
        }

        List<(ulong, long, double)> expected = FloatRows.ReadAll(shard);
        Assert.True(shard.Merge(force: true));
        long merged = Assert.Single(shard.DiskPartIds);
        Assert.Equal(4, PartFolders(dir.Path).Length); // the three inputs stay for the fallback snapshot

        Assert.False(shard.Merge()); // one part: nothing to merge, so it settles
        Assert.Equal([SnapshotStore.PartFolderName(merged)], PartFolders(dir.Path));
        List<ShardSnapshotRecord> snapshots = Snapshots(dir.Path);
        Assert.Equal(2, snapshots.Count);
        Assert.All(snapshots, s => Assert.Equal([merged], s.PartIds));
        Assert.Equal(expected, FloatRows.ReadAll(shard));
    }

    [Fact]
    public void Settling_cuts_the_wal_at_the_newest_flush_point()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options());
        shard.Write(FloatRows.Batch(1));
        Assert.True(shard.Flush());
        shard.Write(FloatRows.Batch(2));
        Assert.True(shard.Flush());

        // A flush truncates only behind the fallback's flush point: the second batch's record is still logged.
        long beforeSettle = WalBytes(dir.Path);
        Assert.False(shard.Merge()); // two parts of one size: below the policy's ratio, so it settles
        long afterSettle = WalBytes(dir.Path);
        Assert.True(afterSettle < beforeSettle, $"WAL {beforeSettle} B before the settle, {afterSettle} B after");

        shard.Write(FloatRows.Batch(3));
        Assert.Equal(30, FloatRows.ReadAll(shard).Count);
    }

    [Fact]
    public void Settling_twice_writes_no_second_snapshot()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options());
        shard.Write(FloatRows.Batch(1));
        Assert.True(shard.Flush());
        string[] flushed = Directory.GetFiles(dir.Path, "*.snp");
        Assert.False(shard.Merge());
        string[] settled = Directory.GetFiles(dir.Path, "*.snp");
        Assert.NotEqual(flushed, settled); // the flush left the fallback behind: the first pass settles
        Assert.False(shard.Merge());
        Assert.Equal(settled, Directory.GetFiles(dir.Path, "*.snp"));
    }

    [Fact]
    public void A_clean_close_settles_and_the_reopened_shard_has_every_row()
    {
        using TempDirectory dir = new();
        List<(ulong, long, double)> expected;
        long merged;
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            for (int i = 0; i < 3; i++)
            {
                shard.Write(FloatRows.Batch(i));
                shard.Flush();
            }

            shard.Merge(force: true);
            merged = Assert.Single(shard.DiskPartIds);
            shard.Write(FloatRows.Batch(7)); // acknowledged, still in memory: replayed from the WAL at the next open
            expected = FloatRows.ReadAll(shard);
        }

        Assert.Equal([SnapshotStore.PartFolderName(merged)], PartFolders(dir.Path));
        using Shard reopened = _leaks.Open(dir.Path, Options());
        Assert.Equal(expected, FloatRows.ReadAll(reopened));
        Assert.Equal(1, reopened.Recovery.ReplayedRecords);
    }

    [Fact]
    public void After_a_settle_a_damaged_newest_snapshot_falls_back_to_the_same_parts()
    {
        using TempDirectory dir = new();
        List<(ulong, long, double)> expected;
        using (Shard shard = _leaks.Open(dir.Path, Options()))
        {
            for (int i = 0; i < 3; i++)
            {
                shard.Write(FloatRows.Batch(i));
                shard.Flush();
            }

            shard.Merge(force: true);
            shard.Merge();
            expected = FloatRows.ReadAll(shard);
        }

        string newest = Directory.GetFiles(dir.Path, "*.snp").Order().Last();
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        using Shard reopened = _leaks.Open(dir.Path, Options());
        Assert.Single(reopened.Recovery.RejectedSnapshots);
        Assert.Equal(expected, FloatRows.ReadAll(reopened));
    }
}
