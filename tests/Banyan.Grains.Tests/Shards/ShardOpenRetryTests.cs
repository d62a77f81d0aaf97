using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Hosting;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Storage;

namespace Banyan.Grains.Tests.Shards;

/// <summary>
/// A shard grain whose shard failed to open answers its calls with that failure until
/// <see cref="ShardGrainOptions.OpenRetryInterval"/> has passed, without reading the files again; the first call after
/// it opens the shard again, so a repaired file is picked up without a restart.
/// </summary>
[Collection(FakeClockClusterDefinition.Name)]
public sealed class ShardOpenRetryTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset s_segment = new(2026, 12, 3, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_failed_open_is_answered_until_the_retry_interval_and_a_repaired_shard_then_opens()
    {
        ClusterShard shard = await ClusterShard.WrittenAsync(fixture, "open-retry-g", s_segment);
        await shard.DeactivateAsync();
        Dictionary<string, byte[]> originals = await shard.DamageWalMagicAsync();

        StorageCorruptionException first = await Exceptions.CatchAsync<StorageCorruptionException>(() => shard.CallAsync(g => g.GetStats()));
        DateTime failedAt = DateTime.UtcNow;

        // The files repaired: a call right away still gets the failed open's error, the files are not read again...
        foreach ((string file, byte[] magic) in originals)
        {
            await using FileStream stream = new(file, FileMode.Open, FileAccess.Write);
            await stream.WriteAsync(magic);
        }

        StorageCorruptionException again = await Exceptions.CatchAsync<StorageCorruptionException>(() => shard.CallAsync(g => g.GetStats()));
        Assert.Equal(first.Message, again.Message);

        // ...and once the retry interval (5 s by default) has passed, a call opens the repaired shard with its rows.
        ShardStats? stats = null;
        while (stats is null)
        {
            Assert.True(DateTime.UtcNow - failedAt < s_bound, "the repaired shard never opened");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            try
            {
                stats = await shard.CallAsync(g => g.GetStats());
            }
            catch (Exception e) when (e is StorageCorruptionException || e.InnerException is StorageCorruptionException)
            {
                // Still within the retry interval.
            }
        }

        Assert.Equal(10, stats.Rows);
        Assert.True(DateTime.UtcNow - failedAt >= new ShardGrainOptions().OpenRetryInterval - TimeSpan.FromSeconds(1), "the open was tried again before the retry interval");
    }
}
