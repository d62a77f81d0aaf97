using Banyan.Storage.Snapshots;

namespace Banyan.Storage.Tests.Snapshots;

public sealed class SnapshotStoreTests
{
    private static void MakePart(SnapshotStore store, long id) => Directory.CreateDirectory(store.PartPath(id));

    [Fact]
    public void Newest_snapshot_wins_and_two_are_kept()
    {
        using TempDirectory dir = new();
        SnapshotStore store = new(dir.Path);
        MakePart(store, 1);
        MakePart(store, 3);
        store.Install(new ShardSnapshotRecord(2, 10, [1]), 0);
        store.Install(new ShardSnapshotRecord(4, 20, [1, 3]), 2);
        store.Install(new ShardSnapshotRecord(5, 30, [3]), 4);
        Assert.Equal(2, Directory.GetFiles(dir.Path, "*.snp").Length);
        SnapshotLoadResult result = store.Load();
        Assert.Equal(5, result.Current!.Epoch);
        Assert.Equal(4, result.Previous!.Epoch);
        Assert.Empty(result.Rejected);
        Assert.Equal(5, result.HighestId);
    }

    [Fact]
    public void Torn_newest_snapshot_falls_back_to_the_previous_one()
    {
        using TempDirectory dir = new();
        SnapshotStore store = new(dir.Path);
        MakePart(store, 1);
        MakePart(store, 2);
        store.Install(new ShardSnapshotRecord(3, 10, [1]), 0);
        store.Install(new ShardSnapshotRecord(4, 20, [1, 2]), 3);
        string newest = Path.Combine(dir.Path, SnapshotFile.FileName(4));
        byte[] bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes.AsSpan(0, bytes.Length - 5).ToArray());

        SnapshotLoadResult result = store.Load();
        Assert.Equal(3, result.Current!.Epoch);
        Assert.Null(result.Previous);
        Assert.Single(result.Rejected);
        Assert.True(File.Exists(newest + SnapshotStore.RejectedSuffix));
        Assert.Equal(4, result.HighestId);
    }

    [Fact]
    public void Snapshot_listing_a_missing_part_is_not_used()
    {
        using TempDirectory dir = new();
        SnapshotStore store = new(dir.Path);
        MakePart(store, 1);
        store.Install(new ShardSnapshotRecord(2, 10, [1]), 0);
        store.Install(new ShardSnapshotRecord(4, 20, [1, 3]), 2);
        SnapshotLoadResult result = store.Load();
        Assert.Equal(2, result.Current!.Epoch);
        Assert.Contains("missing", result.Rejected[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Unreferenced_parts_and_temp_leftovers_are_removed()
    {
        using TempDirectory dir = new();
        SnapshotStore store = new(dir.Path);
        MakePart(store, 1);
        MakePart(store, 2);
        Directory.CreateDirectory(Path.Combine(dir.Path, SnapshotStore.PartFolderName(9) + Banyan.Storage.Durability.AtomicFile.TempSuffix));
        File.WriteAllText(Path.Combine(dir.Path, SnapshotFile.FileName(7) + Banyan.Storage.Durability.AtomicFile.TempSuffix), "half");
        Directory.CreateDirectory(Path.Combine(dir.Path, "wal"));
        Assert.Equal(3, store.RemoveUnreferenced(new HashSet<long> { 1 }));
        Assert.True(Directory.Exists(store.PartPath(1)));
        Assert.False(Directory.Exists(store.PartPath(2)));
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "wal")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Empty_directory_loads_nothing()
    {
        using TempDirectory dir = new();
        SnapshotLoadResult result = new SnapshotStore(dir.Path).Load();
        Assert.Null(result.Current);
        Assert.Equal(0, result.HighestId);
    }
}
