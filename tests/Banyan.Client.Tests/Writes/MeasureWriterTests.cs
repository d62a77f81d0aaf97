using System.Collections.Concurrent;
using Banyan.Api.Measure.V1;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Client.Writes;
using Banyan.GrainInterfaces.Groups;
using Banyan.GrainInterfaces.Writes;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Client.Tests.Writes;

/// <summary>The measure writer on the 3-silo cluster: many points across shards, mixed valid and invalid points, a trickle.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class MeasureWriterTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task Thousands_of_points_land_on_every_shard_and_are_all_queryable()
    {
        const string group = "mw-bulk";
        const int count = 3000;
        await Subjects.CreateMeasureAsync(fixture.Client, group, shards: 6);

        BulkWriteResult<DataPointValue> result;
        await using (MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", new BulkWriterOptions { BatchSize = 250, MaxInFlightBatches = 4, FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(i, await writer.WriteAsync(Subjects.Point(i)));
            }

            result = await writer.CompleteAsync();
            BulkWriterStatistics stats = writer.Statistics;
            Assert.Equal(count / 250, stats.Calls);
            Assert.Equal((0L, 0), (stats.HeldPoints, stats.InFlightBatches));
        }

        Assert.Equal((count, count, 0L, 0L, 0L), (result.Written, result.Acknowledged, result.Expired, result.Failed, result.Retried));
        Assert.Empty(result.Failures);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));

        // 50 entities over 6 shards: every shard of the segment got points, and the shards sit on several silos.
        SegmentInfo segment = Assert.Single(await fixture.Client.Grains.GetGrain<IGroupGrain>(group).GetSegments(long.MinValue, long.MaxValue));
        Assert.Equal(6, segment.Shards.Length);
        ShardOwners owners = await fixture.Client.Grains.GetGrain<IGroupGrain>(group).GetShardOwners(6);
        Assert.True(owners.Owners.Distinct().Count() >= 2, string.Join(", ", owners.Owners));
    }

    [Fact]
    public async Task Invalid_points_are_reported_with_their_sequence_status_and_reason_and_the_valid_ones_land()
    {
        const string group = "mw-mixed";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        ConcurrentBag<IWriteFailure> seen = [];
        BulkWriterOptions options = new() { BatchSize = 7, FlushInterval = TimeSpan.FromHours(1), OnFailure = seen.Add };

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", options);
        for (int i = 0; i < 40; i++)
        {
            DataPointValue point = Subjects.Point(i);
            switch (i)
            {
                case 3:
                    point.Timestamp.Nanos += 5;
                    break;
                case 11:
                    point.TagFamilies[0].Tags[2] = WriteSchemas.Str("not a number");
                    break;
                case 12:
                    point.TagFamilies.Clear();
                    break;
                case 30:
                    point.Timestamp = null;
                    break;
            }

            await writer.WriteAsync(point);
        }

        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();

        Assert.Equal((40L, 36L, 4L, 0L), (result.Written, result.Acknowledged, result.Failed, result.Retried));
        Assert.Equal([3L, 11L, 12L, 30L], result.Failures.Select(f => f.Sequence).Order());
        WriteFailure<DataPointValue> timestamp = result.Failures.Single(f => f.Sequence == 3);
        Assert.Equal((WriteStatus.InvalidTimestamp, "STATUS_INVALID_TIMESTAMP", "data_point.timestamp: is not in whole milliseconds", 1), (timestamp.Status, timestamp.StatusName, timestamp.Message, timestamp.Attempts));
        Assert.Equal(3, timestamp.Point.Fields[0].Int.Value);
        WriteFailure<DataPointValue> type = result.Failures.Single(f => f.Sequence == 11);
        Assert.Equal((WriteStatus.InternalError, "data_point.tag_families[0].tags[2] (code): is a string, the schema declares TAG_TYPE_INT"), (type.Status, type.Message));
        Assert.Equal(WriteStatus.InvalidTimestamp, result.Failures.Single(f => f.Sequence == 30).Status);

        // The callback saw each failure once; a refusal of the point itself is never sent twice.
        Assert.Equal([3L, 11L, 12L, 30L], seen.Select(f => f.Sequence).Order());
        Assert.Equal(6, writer.Statistics.Calls);
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i is not (3 or 11 or 12 or 30)).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));
    }

    [Fact]
    public async Task Points_of_a_measure_that_does_not_exist_all_fail_NOT_FOUND_without_retries()
    {
        const string group = "mw-missing";
        await fixture.Client.Schemas.Groups.CreateAsync(WriteSchemas.Group(group, Api.Common.V1.Catalog.Measure));

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "nope", new BulkWriterOptions { BatchSize = 5, FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 10; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();

        Assert.Equal((0L, 10L), (result.Acknowledged, result.Failed));
        Assert.All(result.Failures, f => Assert.Equal((WriteStatus.NotFound, $"metadata.name: measure '{group}/nope' does not exist"), (f.Status, f.Message)));
        Assert.Equal(2, writer.Statistics.Calls);
    }

    [Fact]
    public async Task A_trickle_of_points_is_sent_after_the_flush_interval_without_CompleteAsync()
    {
        const string group = "mw-trickle";
        await Subjects.CreateMeasureAsync(fixture.Client, group);

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", new BulkWriterOptions { BatchSize = 1000, FlushInterval = TimeSpan.FromMilliseconds(20) });
        for (int i = 0; i < 3; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        // Far from a full batch: only the flush interval sends these (bounded wait for the state, no timing assertion).
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(30));
        while (writer.Statistics.Acknowledged < 3)
        {
            await Task.Delay(10, bound.Token);
        }

        Assert.Equal([0L, 1L, 2L], await Subjects.TotalsAsync(fixture.Client, group));
        Assert.Equal((0L, 0), (writer.Statistics.HeldPoints, writer.Statistics.InFlightBatches));
    }

    [Fact]
    public async Task A_point_written_again_later_wins_and_a_point_with_its_own_version_keeps_it()
    {
        const string group = "mw-versions";
        await Subjects.CreateMeasureAsync(fixture.Client, group);

        await using (MeasureWriter first = fixture.Client.CreateMeasureWriter(group, "cpm"))
        {
            await first.WriteAsync(Subjects.Point(1));
            await first.CompleteAsync();
        }

        // The same series and timestamp, written later: the generated message id (the version) is newer, so it wins.
        DataPointValue rewrite = Subjects.Point(1);
        rewrite.Fields[0].Int.Value = 100;
        await using (MeasureWriter second = fixture.Client.CreateMeasureWriter(group, "cpm"))
        {
            await second.WriteAsync(rewrite);
            await second.CompleteAsync();
        }

        Assert.Equal([100L], await Subjects.TotalsAsync(fixture.Client, group));

        // A point with a version of its own keeps it: version 1 is older than the generated ones (nanoseconds), so it loses.
        DataPointValue old = Subjects.Point(1);
        old.Fields[0].Int.Value = 7;
        old.Version = 1;
        await using (MeasureWriter third = fixture.Client.CreateMeasureWriter(group, "cpm"))
        {
            await third.WriteAsync(old);
            Assert.Equal(1L, (await third.CompleteAsync()).Acknowledged);
        }

        Assert.Equal([100L], await Subjects.TotalsAsync(fixture.Client, group));
    }
}
