using Banyan.Api.Measure.V1;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Client.Writes;

namespace Banyan.Client.Tests.Writes;

/// <summary>CompleteAsync settles every point before it returns; disposal without it still sends what was taken.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class BulkWriterCompletionTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task CompleteAsync_returns_only_once_every_point_is_acknowledged()
    {
        const string group = "cm-complete";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        WriteCallFaults.Gate gate = fixture.Faults.Hold(group);

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", new BulkWriterOptions { BatchSize = 8, FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 20; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        // Two full batches went and wait at the gate; CompleteAsync sends the last 4 points and waits for all three.
        Task<BulkWriteResult<DataPointValue>> completing = writer.CompleteAsync();
        try
        {
            await gate.WaitForWaitingAsync(3);
            Assert.False(completing.IsCompleted);
            Assert.Equal(0L, writer.Statistics.Acknowledged);
        }
        finally
        {
            gate.Open();
        }

        BulkWriteResult<DataPointValue> result = await completing;

        Assert.Equal((20L, 20L, 0L), (result.Written, result.Acknowledged, result.Failed));
        Assert.Equal(0L, writer.Statistics.HeldPoints);
        Assert.Same(result, await writer.CompleteAsync());
        InvalidOperationException late = await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteAsync(Subjects.Point(20)));
        Assert.Equal("The writer is completed: CompleteAsync was called, so it takes no more points; create a new writer.", late.Message);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));
    }

    [Fact]
    public async Task Disposing_without_CompleteAsync_still_sends_and_settles_every_point_taken()
    {
        const string group = "cm-dispose";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        List<IWriteFailure> failures = [];
        MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", new BulkWriterOptions
        {
            BatchSize = 1000,
            FlushInterval = TimeSpan.FromHours(1),
            OnFailure = f =>
            {
                lock (failures)
                {
                    failures.Add(f);
                }
            },
        });
        await using (writer)
        {
            for (int i = 0; i < 25; i++)
            {
                DataPointValue point = Subjects.Point(i);
                if (i == 5)
                {
                    point.Timestamp.Nanos += 1;
                }

                await writer.WriteAsync(point);
            }

            // Neither a full batch nor a due flush: only disposal sends these.
            Assert.Equal(0L, writer.Statistics.Calls);
        }

        Assert.Equal((25L, 24L, 1L, 0L), (writer.Statistics.Written, writer.Statistics.Acknowledged, writer.Statistics.Failed, writer.Statistics.HeldPoints));
        Assert.Equal(5L, Assert.Single(failures).Sequence);
        Assert.Equal(Enumerable.Range(0, 25).Where(i => i != 5).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await writer.WriteAsync(Subjects.Point(30)));
    }

    [Fact]
    public async Task A_throwing_failure_callback_surfaces_from_CompleteAsync_after_every_point_is_settled()
    {
        const string group = "cm-callback";
        await Subjects.CreateMeasureAsync(fixture.Client, group);

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", new BulkWriterOptions
        {
            OnFailure = _ => throw new FormatException("the log sink broke"),
        });
        DataPointValue bad = Subjects.Point(0);
        bad.Timestamp = null;
        await writer.WriteAsync(bad);
        await writer.WriteAsync(Subjects.Point(1));

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync());

        Assert.IsType<FormatException>(e.InnerException);
        Assert.Equal("The OnFailure callback threw (FormatException: the log sink broke); every point is settled all the same: 1 acknowledged, 1 failed.", e.Message);
        Assert.Equal([1L], await Subjects.TotalsAsync(fixture.Client, group));
    }
}
