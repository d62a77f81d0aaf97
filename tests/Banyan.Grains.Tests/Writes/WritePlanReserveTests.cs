using Banyan.Grains.Writes;
using Banyan.Storage.Series;
using Banyan.Storage.Values;

namespace Banyan.Grains.Tests.Writes;

/// <summary>
/// The rows a write plan's sub-batch is sized for at its start cover what a shard receives from a batch of distinct
/// series routed the way writes are routed, nearly always, without reserving much more than the shard's mean share.
/// </summary>
public sealed class WritePlanReserveTests
{
    [Theory]
    [InlineData(1_000, 2)]
    [InlineData(1_000, 3)]
    [InlineData(200, 2)]
    [InlineData(5_000, 8)]
    public void A_shard_share_of_a_batch_of_distinct_series_rarely_outgrows_its_reserve(int count, int shardNum)
    {
        int reserve = WritePlan.RowsPerSubBatch(count, shardNum);
        double mean = count / (double)shardNum;
        Assert.InRange(reserve, (int)Math.Ceiling(mean), (int)Math.Ceiling((mean * 1.35) + 8));

        // 500 batches of `count` distinct series each (an entity per row, as a scrape delivers them), routed by the
        // writes' own shard function: count the (batch, shard) pairs whose rows exceed the reserve.
        int outgrown = 0;
        int series = 0;
        for (int batch = 0; batch < 500; batch++)
        {
            int[] perShard = new int[shardNum];
            for (int row = 0; row < count; row++, series++)
            {
                perShard[ShardRouting.ComputeShard("cpu", [TagValue.FromString("host-" + series)], (uint)shardNum)]++;
            }

            outgrown += perShard.Count(rows => rows > reserve);
        }

        Assert.True(outgrown <= 5, $"{outgrown} of {500 * shardNum} sub-batches outgrew a reserve of {reserve} rows");
    }

    [Theory]
    [InlineData(0, 2, 1)]
    [InlineData(1, 2, 1)]
    [InlineData(700, 1, 700)]
    [InlineData(10, 2, 10)]
    public void One_shard_or_a_tiny_batch_reserves_the_whole_batch(int count, int shardNum, int expected)
        => Assert.Equal(expected, WritePlan.RowsPerSubBatch(count, shardNum));
}
