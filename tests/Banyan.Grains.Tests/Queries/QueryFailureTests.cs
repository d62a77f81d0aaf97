using System.Collections.Immutable;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Queries;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Storage.Series;
using Banyan.Storage.Values;
using Orleans.TestingHost;
using static Banyan.Grains.Tests.Queries.QuerySchemas;
using MeasureV1 = Banyan.Api.Measure.V1;
using Op = Banyan.Api.Model.V1.Condition.Types.BinaryOp;

namespace Banyan.Grains.Tests.Queries;

/// <summary>
/// Queries that cannot be answered whole fail rather than answer part of the data: a shard whose owner silo is down
/// (<see cref="ShardUnavailableException"/>), a shard with more matching rows than <c>Silo:Query:MaxRowsPerShard</c>
/// (<see cref="QueryLimitException"/>).
/// </summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class QueryFailureTests(ClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_shard_with_more_matching_rows_than_allowed_fails_the_query_after_its_criteria()
    {
        const string group = "qf-limit";
        await Schemas.CreateAsync(fixture.Client, MeasureGroup(group, shards: 1));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(1));
        await QueryData.WriteAsync(fixture.Client, group, Enumerable.Range(0, 10).Select(i => new CpmPoint(t0.AddSeconds(i), "svc-a", "i" + (i % 2), "eu", i < 4 ? 500 : 200, null, i, i)));
        SegmentInfo segment = (await fixture.Client.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue).WaitAsync(s_bound)).Single();
        string owner = (await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(1).WaitAsync(s_bound)).OwnerOf(0);
        ShardGrainKey key = new(group, segment.Start, 0);
        Task<ShardRows> Query(int maxRows, Banyan.Api.Model.V1.Criteria? criteria = null)
            => fixture.Client.CallShardAsync(key, owner, g => g.Query(new ShardQuery(MeasureName, long.MinValue, long.MaxValue, criteria, [new ShardColumn(null, "total")], maxRows))).WaitAsync(s_bound);

        ShardRows exactly = await Query(10);
        Assert.Equal(10, exactly.Rows.Count);
        Assert.False(exactly.Truncated);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Enumerable.Range(0, 10).Select(r => exactly.Rows.Columns[exactly.Rows.FindColumn(null, "total")].GetInt64(r)).Order());

        QueryLimitException limit = await Assert.ThrowsAsync<QueryLimitException>(() => Query(9));
        Assert.Contains(key.ToString(), limit.Message, StringComparison.Ordinal);
        Assert.Contains("more than 9 rows", limit.Message, StringComparison.Ordinal);
        Assert.Contains("Silo:Query:MaxRowsPerShard", limit.Message, StringComparison.Ordinal);

        // The limit counts the rows the criteria keep, not the rows read.
        ShardRows filtered = await Query(4, Where.Is("code", Op.Eq, Number(500)));
        Assert.Equal(4, filtered.Rows.Count);
        await Assert.ThrowsAsync<QueryLimitException>(() => Query(3, Where.Is("code", Op.Eq, Number(500))));
    }

    [Fact]
    public async Task A_query_while_a_shard_owner_is_down_fails_with_ShardUnavailable_and_never_answers_part_of_the_data()
    {
        // A silo of our own, so the shared cluster keeps its three.
        SiloHandle extra = await fixture.Cluster.StartAdditionalSiloAsync().WaitAsync(TimeSpan.FromMinutes(1));
        const string group = "qf-down";
        await Schemas.CreateAsync(fixture.Client, MeasureGroup(group, shards: 8));
        DateTimeOffset t0 = QueryData.BaseTime(TimeSpan.FromHours(1));
        await QueryData.WriteAsync(fixture.Client, group, Enumerable.Range(0, 64).Select(i => new CpmPoint(t0, "svc-" + i, "i", "eu", 200, null, i, i)));
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(8).WaitAsync(s_bound);
        Assert.Contains(extra.Name, owners.Owners);
        ImmutableArray<int> shards = (await fixture.Client.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue).WaitAsync(s_bound)).Single().Shards;
        Assert.Contains(shards, s => owners.OwnerOf(s) == extra.Name);

        MeasureV1.QueryRequest request = new() { Groups = { group }, Name = MeasureName, TimeRange = QueryData.Range(t0, t0), FieldProjection = new() { Names = { "total" } } };
        Assert.Equal(64, (await QueryData.QueryAsync(fixture.Client, request)).DataPoints.Count);

        await fixture.Cluster.KillSiloAsync(extra).WaitAsync(TimeSpan.FromMinutes(1));

        // Until membership declares the silo dead, calls fail in other ways; then the shard's placement refuses. Never
        // an answer with the reachable shards only.
        ShardUnavailableException refused = await Eventually.MatchAsync(
            async () =>
            {
                try
                {
                    MeasureV1.QueryResponse partial = await QueryData.QueryAsync(fixture.Client, request).WaitAsync(TimeSpan.FromSeconds(15));
                    Assert.Fail($"the query answered {partial.DataPoints.Count} of 64 points with a shard owner down");
                    return null;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    for (Exception? current = e; current is not null; current = current.InnerException)
                    {
                        if (current is ShardUnavailableException unavailable)
                        {
                            return unavailable;
                        }
                    }

                    return null;
                }
            },
            e => e is not null,
            TimeSpan.FromSeconds(120),
            "ShardUnavailableException from a query after a shard owner was killed") ?? throw new InvalidOperationException("unreachable");
        Assert.Equal(extra.Name, refused.Owner);

        // A query that names its series outright is sent to that series' shard only, so the cluster still answers it
        // when the shard's owner is alive, and refuses it when the owner is the dead silo.
        static uint ShardOf(int i) => ShardRouting.ComputeShard(MeasureName, [TagValue.FromString("svc-" + i), TagValue.FromString("i")], 8);
        MeasureV1.QueryRequest OneSeries(int i) => new()
        {
            Groups = { group },
            Name = MeasureName,
            TimeRange = QueryData.Range(t0, t0),
            Criteria = Where.And(Where.Eq("service", "svc-" + i), Where.Eq("instance", "i")),
            FieldProjection = new() { Names = { "total" } },
        };
        int reachable = Enumerable.Range(0, 64).First(i => owners.OwnerOf((int)ShardOf(i)) != extra.Name);
        MeasureV1.QueryResponse answer = await QueryData.QueryAsync(fixture.Client, OneSeries(reachable)).WaitAsync(s_bound);
        Assert.Equal(reachable, Assert.Single(answer.DataPoints).Fields.Single().Value.Int.Value);

        int unreachable = Enumerable.Range(0, 64).First(i => owners.OwnerOf((int)ShardOf(i)) == extra.Name);
        Exception failed = await Assert.ThrowsAnyAsync<Exception>(() => QueryData.QueryAsync(fixture.Client, OneSeries(unreachable)).WaitAsync(s_bound));
        Assert.Equal(extra.Name, Assert.IsType<ShardUnavailableException>(failed is AggregateException { InnerException: { } inner } ? inner : failed).Owner);
    }
}
