using Banyan.Api.Measure.V1;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Client.Writes;
using Banyan.GrainInterfaces.Shards;
using Banyan.GrainInterfaces.Writes;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Client.Tests.Writes;

/// <summary>
/// Retries: transient failures (a failed write call, a shard that did not answer) are retried, boundedly, and what they
/// kept from being stored lands once; refusals and failures that are not transient are never retried. Faults are injected
/// (<see cref="WriteCallFaults"/> on the client, <see cref="ShardWriteFaults"/> on the silos); the backoff is tiny, and no
/// assertion depends on time.
/// </summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class BulkWriterRetryTests(ClientClusterFixture fixture)
{
    private static BulkWriterOptions Options(int maxAttempts = 5) => new()
    {
        BatchSize = 50,
        FlushInterval = TimeSpan.FromHours(1), // batches are cut by size or CompleteAsync only, so call counts are exact
        MaxAttempts = maxAttempts,
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(5),
    };

    [Fact]
    public async Task A_write_call_that_fails_transiently_is_retried_and_every_point_lands_once()
    {
        const string group = "rt-call";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        fixture.Faults.FailNext(group, 2, () => new SiloUnavailableException("injected: the silo left"));

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", Options());
        for (int i = 0; i < 50; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();

        Assert.Equal((50L, 0L, 100L), (result.Acknowledged, result.Failed, result.Retried));
        Assert.Equal(3, writer.Statistics.Calls);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));
    }

    [Fact]
    public async Task Elements_a_shard_did_not_take_are_retried_alone_and_land_once()
    {
        const string group = "rt-shard";
        await Subjects.CreateMeasureAsync(fixture.Client, group, shards: 4);
        ShardWriteFaults.FailNext(group, 1);

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", Options());
        for (int i = 0; i < 50; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();

        // One of the 4 shard writes failed: its points (and only they) were sent a second time.
        Assert.Equal(1, ShardWriteFaults.Failed(group));
        Assert.Equal((50L, 0L), (result.Acknowledged, result.Failed));
        Assert.InRange(result.Retried, 1, 49);
        Assert.Equal(2, writer.Statistics.Calls);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));
    }

    [Fact]
    public async Task A_transient_failure_that_outlasts_the_attempts_is_reported_for_every_point()
    {
        const string group = "rt-exhausted";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        fixture.Faults.FailNext(group, int.MaxValue, () => new TimeoutException("injected: no answer"));

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", Options(maxAttempts: 3));
        for (int i = 0; i < 10; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();
        fixture.Faults.FailNext(group, 0, () => new TimeoutException());

        Assert.Equal((0L, 10L, 20L), (result.Acknowledged, result.Failed, result.Retried));
        Assert.Equal(3, writer.Statistics.Calls);
        Assert.All(result.Failures, f => Assert.Equal(
            (WriteStatus.InternalError, 3, "the write call failed 3 time(s), the last time (TimeoutException): injected: no answer"),
            (f.Status, f.Attempts, f.Message)));
    }

    [Fact]
    public async Task A_failure_that_is_not_transient_is_not_retried()
    {
        const string group = "rt-permanent";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        fixture.Faults.FailNext(group, 1, () => new InvalidOperationException("injected: a bug"));

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", Options());
        for (int i = 0; i < 10; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();

        Assert.Equal((0L, 10L, 0L), (result.Acknowledged, result.Failed, result.Retried));
        Assert.Equal(1, writer.Statistics.Calls);
        Assert.All(result.Failures, f => Assert.Equal("the write call failed (InvalidOperationException): injected: a bug", f.Message));
    }

    [Fact]
    public async Task Stream_elements_are_retried_only_when_a_second_copy_cannot_show()
    {
        const string group = "rt-stream";
        await Subjects.CreateStreamAsync(fixture.Client, group);
        fixture.Faults.FailNext(group, 1, () => new TimeoutException("injected: no answer"));

        await using StreamElementWriter writer = fixture.Client.CreateStreamWriter(group, "log", Options());
        for (int i = 0; i < 10; i++)
        {
            // Odd elements have no element id: after a call that may have stored them, they are not sent again.
            await writer.WriteAsync(Subjects.Element(i, withId: i % 2 == 0));
        }

        BulkWriteResult<StreamV1.ElementValue> result = await writer.CompleteAsync();

        Assert.Equal((5L, 5L, 5L), (result.Acknowledged, result.Failed, result.Retried));
        Assert.Equal([1L, 3L, 5L, 7L, 9L], result.Failures.Select(f => f.Sequence).Order());
        Assert.All(result.Failures, f => Assert.Equal(
            "the write call failed (TimeoutException): injected: no answer; not retried: the element has no element_id, so a second copy could be stored beside a first one that landed",
            f.Message));
        Assert.Equal([0L, 2L, 4L, 6L, 8L], await Subjects.LevelsAsync(fixture.Client, group));
    }

    [Fact]
    public void Transient_failures_are_told_from_refusals()
    {
        Assert.True(TransientFailures.IsTransient(new TimeoutException()));
        Assert.True(TransientFailures.IsTransient(new SiloUnavailableException()));
        Assert.True(TransientFailures.IsTransient(new ShardUnavailableException("g/s/0", "node-1")));
        Assert.False(TransientFailures.IsTransient(new ArgumentException("a bug")));
        Assert.False(TransientFailures.IsTransient(new GrainInterfaces.Schema.SchemaValidationException("name", "required")));

        Assert.True(TransientFailures.IsRetryable(WriteStatus.InternalError, new ElementRefusal(0, "shard did not take it", Retryable: true)));
        Assert.False(TransientFailures.IsRetryable(WriteStatus.InternalError, new ElementRefusal(0, "data_point.tag_families: the element has no tag family")));
        Assert.True(TransientFailures.IsRetryable(WriteStatus.SchemaNotApplied, new ElementRefusal(0, "metadata.mod_revision: newer")));
        Assert.False(TransientFailures.IsRetryable(WriteStatus.DiskFull, new ElementRefusal(0, "disk full")));
        Assert.False(TransientFailures.IsRetryable(WriteStatus.NotFound, null));
    }
}
