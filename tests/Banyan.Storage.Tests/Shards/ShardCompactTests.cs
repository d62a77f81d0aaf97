using Banyan.Storage.Parts;
using Banyan.Storage.Shards;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// <see cref="Shard.CompactAsync"/>: every part into one, but only when all rows are on disk, in several parts, within
/// the merge policy's output limit.
/// </summary>
public sealed class ShardCompactTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    private static ShardOptions Options(long maxOutputBytes = 4L << 30) => new()
    {
        WalEnabled = true,
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        Merge = new MergePolicy { MaxOutputBytes = maxOutputBytes },
    };

    private static void WriteFlushedParts(Shard shard, int parts)
    {
        for (int i = 0; i < parts; i++)
        {
            shard.Write(FloatRows.Batch(i));
            Assert.True(shard.Flush());
        }
    }

    [Fact]
    public async Task Parts_the_tiered_policy_leaves_alone_become_one_with_every_row()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options());
        WriteFlushedParts(shard, 3);
        List<(ulong, long, double)> expected = FloatRows.ReadAll(shard);
        Assert.False(await shard.MergeAsync()); // three parts of one size: below the policy's ratio of 4

        Assert.True(await shard.CompactAsync());
        Assert.Single(shard.DiskPartIds);
        Assert.Equal(expected, FloatRows.ReadAll(shard));
        Assert.False(await shard.CompactAsync()); // one part: nothing left to do
    }

    [Fact]
    public async Task Rows_still_in_memory_keep_the_parts_as_they_are()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options());
        WriteFlushedParts(shard, 2);
        shard.Write(FloatRows.Batch(9));

        Assert.False(await shard.CompactAsync());
        Assert.Equal(2, shard.DiskPartIds.Count);
    }

    [Fact]
    public async Task Parts_larger_together_than_the_merge_output_limit_are_left_to_the_tiered_merges()
    {
        using TempDirectory dir = new();
        using Shard shard = _leaks.Open(dir.Path, Options(maxOutputBytes: 1));
        WriteFlushedParts(shard, 2);

        Assert.False(await shard.CompactAsync());
        Assert.Equal(2, shard.DiskPartIds.Count);
    }
}
