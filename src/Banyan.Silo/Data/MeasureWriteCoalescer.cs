using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Banyan.Api.Common.V1;
using Banyan.Api.Measure.V1;
using Banyan.GrainInterfaces.Writes;

namespace Banyan.Silo.Data;

/// <summary>
/// Joins the measure write batches of this silo's write streams that go to the same measure: at most
/// <see cref="CallsInFlight"/> measure-grain calls per measure are in flight, and the batches of other streams that
/// arrive meanwhile wait and then go together, their data points side by side (no byte is copied), in one call of at
/// most <see cref="MaxMessages"/> data points. Each batch gets the statuses of its own data points from the joined
/// outcome; a failed call fails every batch it carried.
/// </summary>
/// <remarks>
/// Why: a stream's batch ends at every change of measure, so a scraper-like client (each timestamp's points measure by
/// measure) sends batches of a few hundred points per stream, and every batch paid a grain call, a plan and a shard
/// write per shard, whose joining further down copied every row once more (docs/benchmarks.md, "Write streams joined
/// per measure"). Batches join only when their metadata and data point spec are equal; a batch that finds its measure
/// idle is sent at once, so a lone stream waits for nothing.
/// </remarks>
public sealed class MeasureWriteCoalescer
{
    // On the write path's meter (exported at /metrics as banyan_write_joined_batches_total): how often joining happens.
    private static readonly Meter s_meter = new("Banyan.Writes");
    private static readonly Counter<long> s_joined = s_meter.CreateCounter<long>("banyan.write.joined.batches", "{batch}", "Measure write batches of several streams that went in one grain call with others.");

    private readonly ConcurrentDictionary<(string Group, string Name), Lane> _lanes = new();

    /// <summary>A coalescer that joins up to <paramref name="maxMessages"/> data points per call, <paramref name="callsInFlight"/> calls per measure at once.</summary>
    public MeasureWriteCoalescer(int maxMessages, int callsInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsInFlight);
        MaxMessages = maxMessages;
        CallsInFlight = callsInFlight;
    }

    /// <summary>The most data points a joined call carries (a single larger batch still goes whole, alone).</summary>
    public int MaxMessages { get; }

    /// <summary>Measure-grain calls per measure in flight at once.</summary>
    public int CallsInFlight { get; }

    /// <summary>Measures this silo has written to: for tests.</summary>
    internal int LaneCount => _lanes.Count;

    /// <summary>
    /// Writes <paramref name="batch"/> through <paramref name="call"/> at once when its measure has a call to spare,
    /// else with the batches that wait beside it in a later call; completes with the outcome of its own data points.
    /// </summary>
    /// <param name="batch">The batch (its <see cref="MeasureWriteBatch.Wire"/> data points; one built from parsed requests goes alone).</param>
    /// <param name="call">Sends a batch to the measure grain.</param>
    public Task<WriteOutcome> WriteAsync(MeasureWriteBatch batch, Func<MeasureWriteBatch, Task<WriteOutcome>> call)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(call);
        Lane lane = _lanes.GetOrAdd((batch.Metadata.Group, batch.Metadata.Name), static _ => new Lane());
        lock (lane)
        {
            if (lane.InFlight >= CallsInFlight && batch.Wire is not null)
            {
                Waiter waiter = new(batch, call);
                lane.Waiting.Enqueue(waiter);
                return waiter.Done.Task;
            }

            lane.InFlight++;
        }

        return SendOwnAsync(lane, batch, call);
    }

    private async Task<WriteOutcome> SendOwnAsync(Lane lane, MeasureWriteBatch batch, Func<MeasureWriteBatch, Task<WriteOutcome>> call)
    {
        try
        {
            return await call(batch);
        }
        finally
        {
            SendNext(lane);
        }
    }

    // Takes the waiting batches that can go with the first (same metadata and spec, within MaxMessages) and sends them
    // from the thread pool, so no stream's reader carries other streams' calls.
    private void SendNext(Lane lane)
    {
        List<Waiter> taken = [];
        lock (lane)
        {
            if (lane.Waiting.Count == 0)
            {
                lane.InFlight--;
                return;
            }

            int points = 0;
            while (lane.Waiting.TryPeek(out Waiter? next)
                && (taken.Count == 0 || (points + next.Batch.Count <= MaxMessages && CanJoin(taken[0].Batch, next.Batch))))
            {
                taken.Add(lane.Waiting.Dequeue());
                points += next.Batch.Count;
            }
        }

        _ = Task.Run(() => SendTakenAsync(lane, taken));
    }

    private static bool CanJoin(MeasureWriteBatch first, MeasureWriteBatch next)
        => Equals(first.Metadata, next.Metadata) && Equals(first.Spec, next.Spec);

    private async Task SendTakenAsync(Lane lane, List<Waiter> taken)
    {
        try
        {
            WriteOutcome outcome = await taken[0].Call(Join(taken));
            int start = 0;
            foreach (Waiter waiter in taken)
            {
                waiter.Done.TrySetResult(taken.Count == 1 ? outcome : Slice(outcome, start, waiter.Batch.Count));
                start += waiter.Batch.Count;
            }
        }
        catch (Exception e)
        {
            foreach (Waiter waiter in taken)
            {
                waiter.Done.TrySetException(e);
            }
        }
        finally
        {
            SendNext(lane);
        }
    }

    /// <summary>The batches' data points and message ids one after the other, in one batch (the slices, not their bytes).</summary>
    internal static MeasureWriteBatch Join(IReadOnlyList<Waiter> taken)
    {
        if (taken.Count == 1)
        {
            return taken[0].Batch;
        }

        int count = 0;
        foreach (Waiter waiter in taken)
        {
            count += waiter.Batch.Count;
        }

        var points = new ReadOnlyMemory<byte>[count];
        var ids = new ulong[count];
        int at = 0;
        foreach (Waiter waiter in taken)
        {
            WireDataPoints wire = waiter.Batch.Wire!;
            wire.DataPoints.CopyTo(points, at);
            wire.MessageIds.CopyTo(ids, at);
            at += wire.Count;
        }

        MeasureWriteBatch first = taken[0].Batch;
        s_joined.Add(taken.Count, new KeyValuePair<string, object?>("group", first.Metadata.Group));
        return new MeasureWriteBatch(first.Metadata, first.Spec, [], new WireDataPoints(points, ids));
    }

    /// <summary>
    /// The outcome of data points <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> of a joined
    /// call, numbered from 0: their statuses and refusals. The expired count stays with the joined call (the measure
    /// grain counts it in its metrics); a stream answers from the statuses.
    /// </summary>
    internal static WriteOutcome Slice(WriteOutcome joined, int start, int count)
    {
        ImmutableArray<ElementRefusal>.Builder refusals = ImmutableArray.CreateBuilder<ElementRefusal>();
        foreach (ElementRefusal refusal in joined.Refusals)
        {
            if (refusal.Index >= start && refusal.Index < start + count)
            {
                refusals.Add(refusal with { Index = refusal.Index - start });
            }
        }

        return new WriteOutcome(joined.Statuses.Slice(start, count), refusals.ToImmutable(), 0);
    }

    /// <summary>A batch waiting for its measure: its data points, how to send them, and its outcome.</summary>
    internal sealed class Waiter(MeasureWriteBatch batch, Func<MeasureWriteBatch, Task<WriteOutcome>> call)
    {
        public MeasureWriteBatch Batch { get; } = batch;

        public Func<MeasureWriteBatch, Task<WriteOutcome>> Call { get; } = call;

        // Completed from the thread pool: the waiting stream's continuation runs on its own, never inline here.
        public TaskCompletionSource<WriteOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // One measure: its calls in flight and the batches waiting for one. Locked on itself.
    private sealed class Lane
    {
        public int InFlight { get; set; }

        public Queue<Waiter> Waiting { get; } = new();
    }
}
