using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.Api.Model.V1;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Schema;
using Banyan.GrainInterfaces.Shards;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Tests.Infrastructure;
using Banyan.Storage.Series;
using Banyan.Tests.Shared.Writes;
using Orleans.TestingHost;
using MeasureV1 = Banyan.Api.Measure.V1;

namespace Banyan.Grains.Tests.Writes;

/// <summary>
/// Writes through the measure grain on the 3-silo TestCluster: each element gets its status with a reason naming the
/// field; the valid ones land on shards spread over the silos; with one shard owner killed, the elements of its shards
/// get the retryable status and the others still land.
/// </summary>
[Collection(SharedClusterDefinition.Name)]
public sealed class ClusterWriteTests(ClusterFixture fixture)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Each_element_gets_its_status_and_reason_and_the_valid_ones_land_on_shards_across_silos()
    {
        const string group = "cw-mixed";
        await Schemas.CreateAsync(fixture.Client, WriteSchemas.Group(group, Catalog.Measure, shards: 6), WriteSchemas.Measure(group));
        Metadata metadata = await Schemas.MetadataOfAsync(fixture.Client, new SchemaKey(SchemaKind.Measure, group, "cpm"));
        DateTimeOffset t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddMinutes(-10);

        List<MeasureV1.WriteRequest> requests = [.. Enumerable.Range(0, 60).Select(i => WriteSchemas.Point(null, (ulong)(i + 1), t.AddMilliseconds(i), "entity-" + i, i))];
        requests[7].DataPoint.TagFamilies[0].Tags[2] = WriteSchemas.Str("seven");
        requests[8].DataPoint.TagFamilies.Clear();
        requests[9].DataPoint.Timestamp.Nanos += 3;
        WriteOutcome outcome = await WriteAsync(metadata, requests);

        Assert.Equal(60, outcome.Statuses.Length);
        Assert.Equal([7, 8, 9], outcome.Refusals.Select(r => r.Index));
        Assert.Equal([WriteStatus.InternalError, WriteStatus.InternalError, WriteStatus.InvalidTimestamp], outcome.Refusals.Select(r => outcome.Statuses[r.Index]));
        Assert.Equal("data_point.tag_families[0].tags[2] (code): is a string, the schema declares TAG_TYPE_INT", outcome.Refusals[0].Reason);
        Assert.Equal("data_point.tag_families: the element has no tag family", outcome.Refusals[1].Reason);
        Assert.Equal("data_point.timestamp: is not in whole milliseconds", outcome.Refusals[2].Reason);
        Assert.All(outcome.Refusals, r => Assert.False(r.Retryable, $"element {r.Index} is refused for itself; sending it again cannot help"));

        List<StoredRow> rows = await StoredRows.ReadAsync(fixture.Client, group, "cpm");
        Assert.Equal(Enumerable.Range(0, 60).Where(i => i is not (7 or 8 or 9)).Select(i => (long)i), rows.Select(r => (long)r[null, "total"]!).Order());

        // Series ids are BanyanDB's (subject + entity), and the rows sit on the shards BanyanDB routes them to, owned by several silos.
        Assert.All(rows, r => Assert.Equal(SeriesKey.ComputeSeriesId("cpm", [Banyan.Storage.Values.TagValue.FromString((string)r["default", "entity_id"]!)]), r.SeriesId));
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(6);
        Assert.True(owners.Owners.Distinct().Count() >= 3, string.Join(", ", owners.Owners));
        SegmentInfo segment = (await fixture.Client.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue)).Single();
        Assert.Equal(6, segment.Shards.Length);
    }

    [Fact]
    public async Task With_a_shard_owner_killed_its_elements_get_the_retryable_status_and_the_others_land()
    {
        SiloHandle extra = await fixture.Cluster.StartAdditionalSiloAsync().WaitAsync(TimeSpan.FromMinutes(1));
        const string group = "cw-killed";
        await Schemas.CreateAsync(fixture.Client, WriteSchemas.Group(group, Catalog.Measure, shards: 8), WriteSchemas.Measure(group));
        Metadata metadata = await Schemas.MetadataOfAsync(fixture.Client, new SchemaKey(SchemaKind.Measure, group, "cpm"));
        DateTimeOffset t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).AddMinutes(-10);

        // Every shard gets data while all four silos are up, so the extra silo owns some shards with data.
        WriteOutcome first = await WriteAsync(metadata, [.. Enumerable.Range(0, 80).Select(i => WriteSchemas.Point(null, (ulong)(i + 1), t, "entity-" + i, i))]);
        Assert.Empty(first.Refusals);
        ShardOwners owners = await fixture.Client.GetGrain<IGroupGrain>(group).GetShardOwners(8);
        HashSet<int> lost = [.. Enumerable.Range(0, 8).Where(s => owners.OwnerOf(s) == extra.Name)];
        Assert.NotEmpty(lost);

        await fixture.Cluster.KillSiloAsync(extra).WaitAsync(TimeSpan.FromMinutes(1));

        ImmutableArray<MeasureV1.WriteRequest> second = [.. Enumerable.Range(0, 80).Select(i => WriteSchemas.Point(null, (ulong)(100 + i), t.AddSeconds(1), "entity-" + i, 100 + i))];
        WriteOutcome outcome = await WriteAsync(metadata, second);
        for (int i = 0; i < 80; i++)
        {
            int shard = (int)ShardRouting.ComputeShard("cpm", [Banyan.Storage.Values.TagValue.FromString("entity-" + i)], 8);
            Assert.Equal(lost.Contains(shard) ? WriteStatus.InternalError : WriteStatus.Succeed, outcome.Statuses[i]);
        }

        // The elements of the lost shards were fine: their refusals say a retry may succeed (clients retry on this flag).
        Assert.NotEmpty(outcome.Refusals);
        Assert.All(outcome.Refusals, r => Assert.True(r.Retryable, $"element {r.Index}: {r.Reason}"));

        // What the surviving shards took is there; nothing was activated on another silo's disk for the lost shards.
        List<long> totals = [];
        SegmentInfo segment = (await fixture.Client.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue)).Single();
        foreach (int shard in segment.Shards.Where(s => !lost.Contains(s)))
        {
            var read = await fixture.Client.CallShardAsync(new(group, segment.Start, shard), owners.OwnerOf(shard), g => g.ReadRows("cpm", long.MinValue, long.MaxValue, 10_000)).WaitAsync(s_bound);
            for (int r = 0; r < read.Rows.Count; r++)
            {
                totals.Add(read.Rows.Columns[read.Rows.FindColumn(null, "total")].GetInt64(r));
            }
        }

        IEnumerable<int> kept = Enumerable.Range(0, 80).Where(i => !lost.Contains((int)ShardRouting.ComputeShard("cpm", [Banyan.Storage.Values.TagValue.FromString("entity-" + i)], 8)));
        Assert.Equal(kept.SelectMany(i => new long[] { i, 100 + i }).Order(), totals.Order());
        foreach (string silo in new[] { "Primary", "Secondary_1", "Secondary_2" })
        {
            foreach (int shard in lost)
            {
                Assert.False(Directory.Exists(Path.Combine(fixture.SiloDataRoot(silo), group, "seg-" + new ShardGrainKey(group, segment.Start, shard).SegmentText, "shard-" + shard)));
            }
        }
    }

    private Task<WriteOutcome> WriteAsync(Metadata metadata, IEnumerable<MeasureV1.WriteRequest> requests)
        => fixture.Client.GetGrain<IMeasureGrain>(SubjectKey.Of(metadata.Group, metadata.Name))
            .Write(new MeasureWriteBatch(metadata, null, [.. requests])).WaitAsync(s_bound);
}
