using Banyan.Storage.Shards;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// The teardown of shard tests (BanyanDB checks leaked references in its integration teardown):
/// every shard a test opens through <see cref="Open"/> is disposed at the end of the test, and then
/// its part references, views and pooled buffers must all be back to zero. A scan, view or cursor a
/// test forgot to dispose, or a reference the engine failed to release, fails the test.
/// </summary>
public sealed class ShardLeakCheck : IDisposable
{
    private readonly List<Shard> _shards = [];

    /// <summary>Opens a shard and tracks it.</summary>
    public Shard Open(string path, ShardOptions? options = null)
    {
        Shard shard = Shard.Open(path, options);
        lock (_shards)
        {
            _shards.Add(shard);
        }

        return shard;
    }

    /// <summary>Disposes every tracked shard and checks its counters.</summary>
    public void Dispose()
    {
        var leaks = new List<string>();
        foreach (Shard shard in _shards)
        {
            shard.Dispose();
            ShardResources r = shard.Resources;
            if (r.LiveParts != 0 || r.LiveViews != 0 || r.RentedBuffers != 0)
            {
                leaks.Add($"{shard.FolderPath}: {r.LiveParts} part references, {r.LiveViews} views, {r.RentedBuffers} pooled buffers still held after close");
            }
        }

        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }
}
