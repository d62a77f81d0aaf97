using Banyan.Benchmarks.EngineQueries;
using Banyan.Benchmarks.Load;

namespace Banyan.Benchmarks.Tests;

/// <summary>
/// The <c>queries</c> command's answers are checked exactly: shards holding the dataset answer Q1–Q3 as the dataset
/// says (through block statistics where the query allows), and shards holding one changed point give an answer the
/// check refuses, naming the query and where it differs.
/// </summary>
public sealed class EngineQueriesTests
{
    // 300 series (100 entities: 2 services, 5 instances, 10 endpoints each), 70 points: three 5-minute buckets, the last
    // one partial.
    private static readonly PeerDataset s_dataset = new(series: 300, points: 70, services: 2);
    private static readonly PeerAnswers s_expected = new(s_dataset);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Shards_holding_the_dataset_answer_every_query_exactly(int shards)
    {
        InShards(shards, null, queries =>
        {
            Assert.Null(s_expected.CheckQ1(queries.Q1()));
            Assert.Null(s_expected.CheckQ2(queries.Q2()));
            Assert.Null(s_expected.CheckQ2(queries.Q2PerBucket()));
            Assert.Null(s_expected.CheckQ3(queries.Q3()));
            Assert.True(queries.BlocksFromStatistics > 0 && queries.BlocksDecoded == 0, $"Q3: {queries.BlocksFromStatistics} blocks from statistics, {queries.BlocksDecoded} decoded");
            Assert.Null(s_expected.CheckQ3(queries.Q3FromRows()));
        });

        Assert.Equal(3, s_expected.Q2.Sums.Length);
        Assert.Equal(10, s_expected.Q3.Top.Count);
    }

    [Fact]
    public void A_q1_value_differing_in_its_last_bit_fails_the_check()
    {
        double changed = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(s_dataset.Value(PeerAnswers.Q1Series, 33)) ^ 1);
        InShards(2, (j, i) => j == PeerAnswers.Q1Series && i == 33 ? changed : s_dataset.Value(j, i), queries =>
        {
            string? problem = s_expected.CheckQ1(queries.Q1());
            Assert.NotNull(problem);
            Assert.StartsWith("Q1: point 33 ", problem, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_latency_of_the_queried_service_off_by_one_fails_the_q2_check()
    {
        // Series 2 is the latency of entity 0, of service 0; point 45 lies in the second bucket.
        InShards(2, (j, i) => j == 2 && i == 45 ? s_dataset.Value(j, i) + 1 : s_dataset.Value(j, i), queries =>
        {
            string? problem = s_expected.CheckQ2(queries.Q2());
            Assert.NotNull(problem);
            Assert.StartsWith("Q2: bucket 1 ", problem, StringComparison.Ordinal);
            Assert.NotNull(s_expected.CheckQ2(queries.Q2PerBucket()));
        });
    }

    [Fact]
    public void A_new_highest_latency_fails_the_q3_check()
    {
        // A latency series of the other service gets the highest value of all: its endpoint must now rank first.
        int series = 5; // entity 1: service 1
        Assert.Equal(1, s_dataset.ServiceOf(series));
        double highest = s_expected.Q3.Top[0].Max + 1;
        InShards(2, (j, i) => j == series && i == 7 ? highest : s_dataset.Value(j, i), queries =>
        {
            string? problem = s_expected.CheckQ3(queries.Q3());
            Assert.NotNull(problem);
            Assert.StartsWith("Q3: rank 1 is " + s_dataset.TagsOf(series).EndpointId, problem, StringComparison.Ordinal);
            Assert.NotNull(s_expected.CheckQ3(queries.Q3FromRows()));
        });
    }

    private static void InShards(int shards, Func<int, int, double>? valueOf, Action<PeerEngineQueries> test)
    {
        string directory = Path.Combine(Path.GetTempPath(), "banyan-queries-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            using PeerShards loaded = PeerShards.Load(directory, s_dataset, shards, batchRows: 1_000, valueOf);
            test(new PeerEngineQueries(loaded, s_dataset));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
