using Banyan.Api.Measure.V1;
using Banyan.Client.Tests.Infrastructure;
using Banyan.Client.Writes;

namespace Banyan.Client.Tests.Writes;

/// <summary>
/// Back-pressure: with the cluster's answers held at a gate (<see cref="WriteCallFaults.Hold"/>), the writer never holds
/// more than MaxInFlightBatches batches of BatchSize points, and <c>WriteAsync</c> waits instead of buffering more. The
/// assertions read the writer's counters and the calls that reached the gate, never the clock.
/// </summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class BulkWriterBoundsTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task WriteAsync_waits_while_every_batch_slot_is_taken_and_goes_on_when_one_frees()
    {
        const string group = "bp-bound";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        WriteCallFaults.Gate gate = fixture.Faults.Hold(group);
        BulkWriterOptions options = new() { BatchSize = 10, MaxInFlightBatches = 3, FlushInterval = TimeSpan.FromHours(1) };

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", options);
        ValueTask<long> blocked;
        try
        {
            // Three full batches take the three slots; all three calls wait at the gate.
            for (int i = 0; i < 30; i++)
            {
                await writer.WriteAsync(Subjects.Point(i));
            }

            await gate.WaitForWaitingAsync(3);
            BulkWriterStatistics held = writer.Statistics;
            Assert.Equal((30L, 3, 0L), (held.HeldPoints, held.InFlightBatches, held.Acknowledged));

            // The 31st point would start a fourth batch: WriteAsync waits. Nothing can free a slot while the gate is
            // closed, so this holds without any timing.
            blocked = writer.WriteAsync(Subjects.Point(30));
            Assert.False(blocked.IsCompleted);

            // A wait for room can be cancelled; the point is then not taken.
            using CancellationTokenSource cancel = new();
            ValueTask<long> cancelled = writer.WriteAsync(Subjects.Point(999), cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);

            Assert.Equal(3, fixture.Faults.Entered(group));
            Assert.Equal((30L, 30L), (writer.Statistics.HeldPoints, writer.Statistics.Written));
        }
        finally
        {
            // Open in any case: a writer disposed with its calls held would wait for them.
            gate.Open();
        }

        Assert.Equal(30, await blocked);
        for (int i = 31; i < 100; i++)
        {
            await writer.WriteAsync(Subjects.Point(i));
        }

        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();
        BulkWriterStatistics final = writer.Statistics;

        Assert.Equal((100L, 100L, 0L), (result.Written, result.Acknowledged, result.Failed));
        Assert.Equal((3, 30L), (final.PeakInFlightBatches, final.PeakHeldPoints));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));
    }

    [Fact]
    public async Task Concurrent_producers_share_the_bound()
    {
        const string group = "bp-concurrent";
        await Subjects.CreateMeasureAsync(fixture.Client, group);
        BulkWriterOptions options = new() { BatchSize = 20, MaxInFlightBatches = 2 };

        await using MeasureWriter writer = fixture.Client.CreateMeasureWriter(group, "cpm", options);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < 250; i++)
            {
                await writer.WriteAsync(Subjects.Point((p * 250) + i));
            }
        })));
        BulkWriteResult<DataPointValue> result = await writer.CompleteAsync();

        Assert.Equal((1000L, 1000L), (result.Written, result.Acknowledged));
        Assert.InRange(writer.Statistics.PeakInFlightBatches, 1, 2);
        Assert.InRange(writer.Statistics.PeakHeldPoints, 1, 40);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), await Subjects.TotalsAsync(fixture.Client, group));
    }
}
