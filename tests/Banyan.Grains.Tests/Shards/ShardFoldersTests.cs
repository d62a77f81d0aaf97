using Banyan.Grains.Shards;
using Banyan.Grains.Tests.Infrastructure;

namespace Banyan.Grains.Tests.Shards;

public sealed class ShardFoldersTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void A_shard_leaves_its_segment_folder_to_the_last_shard_of_it()
    {
        string segment = Segment("seg-2026120203", shards: 2);

        ShardFolders.Delete(Path.Combine(segment, "shard-1"));
        Assert.False(Directory.Exists(Path.Combine(segment, "shard-1")));
        Assert.True(Directory.Exists(Path.Combine(segment, "shard-0")), "the other shard is untouched");

        ShardFolders.Delete(Path.Combine(segment, "shard-0"));
        Assert.False(Directory.Exists(segment), "the segment went with its last shard");
        Assert.True(Directory.Exists(_root.Path), "nothing above the segment is deleted");
    }

    [Fact]
    public void A_drop_retried_after_its_folders_went_succeeds()
    {
        string segment = Segment("seg-2026120204", shards: 1);
        ShardFolders.Delete(Path.Combine(segment, "shard-0"));

        ShardFolders.Delete(Path.Combine(segment, "shard-0"));

        Assert.False(Directory.Exists(segment));
    }

    [Fact]
    public void Shards_of_one_segment_deleted_at_once_all_succeed_and_take_the_segment_with_them()
    {
        // The group drops a segment's shards in parallel: each one's "is the segment empty now?" races with the others'
        // deletions. Many rounds, so that a check-then-delete would be caught between the two.
        for (int round = 0; round < 40; round++)
        {
            string segment = Segment("seg-race-" + round, shards: 8);
            Exception?[] failures = new Exception?[8];
            using Barrier start = new(8);
            Thread[] threads = [.. Enumerable.Range(0, 8).Select(shard => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    ShardFolders.Delete(Path.Combine(segment, "shard-" + shard));
                }
                catch (Exception e)
                {
                    failures[shard] = e;
                }
            }))];
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "a deletion did not end");
            }

            Assert.All(failures, failure => Assert.Null(failure));
            Assert.False(Directory.Exists(segment), $"round {round}: the segment folder is left behind");
        }
    }

    // A segment folder with the given number of shard folders, each holding a file and a subfolder as a shard's do.
    private string Segment(string name, int shards)
    {
        string segment = Path.Combine(_root.Path, name);
        for (int shard = 0; shard < shards; shard++)
        {
            string folder = Path.Combine(segment, "shard-" + shard);
            Directory.CreateDirectory(Path.Combine(folder, "parts", "0000000000000001"));
            File.WriteAllBytes(Path.Combine(folder, "wal-0000000000000001.log"), new byte[64]);
        }

        return segment;
    }
}
