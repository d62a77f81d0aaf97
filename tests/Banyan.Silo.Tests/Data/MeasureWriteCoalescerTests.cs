using System.Collections.Immutable;
using Banyan.GrainInterfaces.Writes;
using Banyan.Silo.Data;
using MeasureV1 = Banyan.Api.Measure.V1;
using Metadata = Banyan.Api.Common.V1.Metadata;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// <see cref="MeasureWriteCoalescer"/> joins the measure write batches of a silo's streams per measure: a batch to an
/// idle measure goes at once and unchanged; batches arriving while a call is in flight go together in the next call,
/// their data points in arrival order (the same slices, not copies); each batch gets its own data points' statuses and
/// refusals, renumbered from 0; batches with another spec or metadata, or beyond the size bound, go in a later call;
/// a failed call fails the batches it carried and the measure goes on.
/// </summary>
public sealed class MeasureWriteCoalescerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private static readonly Metadata s_cpm = new() { Group = "g", Name = "cpm" };

    // A measure grain stand-in: records each call's batch and answers it when the test says so.
    private sealed class Calls
    {
        private readonly List<(MeasureWriteBatch Batch, TaskCompletionSource<WriteOutcome> Answer)> _calls = [];

        public Task<WriteOutcome> Call(MeasureWriteBatch batch)
        {
            TaskCompletionSource<WriteOutcome> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_calls)
            {
                _calls.Add((batch, answer));
            }

            return answer.Task;
        }

        public async Task<MeasureWriteBatch> NextAsync(int index)
        {
            // Joined calls leave from the thread pool a moment later: polled, within the bound.
            long deadline = Environment.TickCount64 + (long)s_wait.TotalMilliseconds;
            while (true)
            {
                lock (_calls)
                {
                    if (_calls.Count > index)
                    {
                        return _calls[index].Batch;
                    }
                }

                Assert.True(Environment.TickCount64 < deadline, $"call {index} was not made");
                await Task.Delay(5);
            }
        }

        // Every data point succeeds except those listed, refused with their message id in the reason.
        public void Answer(int index, params int[] refused)
        {
            lock (_calls)
            {
                MeasureWriteBatch batch = _calls[index].Batch;
                WriteStatus[] statuses = [.. Enumerable.Range(0, batch.Count).Select(i => refused.Contains(i) ? WriteStatus.InvalidTimestamp : WriteStatus.Succeed)];
                ImmutableArray<ElementRefusal> refusals = [.. refused.Select(i => new ElementRefusal(i, "id " + batch.Wire!.MessageIds[i]))];
                _calls[index].Answer.SetResult(new WriteOutcome([.. statuses], refusals, Expired: 1));
            }
        }

        public void Fail(int index, Exception e)
        {
            lock (_calls)
            {
                _calls[index].Answer.SetException(e);
            }
        }

        public int Count
        {
            get
            {
                lock (_calls)
                {
                    return _calls.Count;
                }
            }
        }
    }

    // A batch of data points whose bytes are their message ids (one byte each), so a joined call shows whose they are.
    private static MeasureWriteBatch Batch(Metadata metadata, params ulong[] ids) => Batch(metadata, null, ids);

    private static MeasureWriteBatch Batch(Metadata metadata, MeasureV1.DataPointSpec? spec, params ulong[] ids)
        => new(metadata, spec, [], new WireDataPoints([.. ids.Select(id => (ReadOnlyMemory<byte>)new byte[] { (byte)id })], ids));

    private static string IdsOf(MeasureWriteBatch batch) => string.Join(",", batch.Wire!.MessageIds);

    private static string BytesOf(MeasureWriteBatch batch) => string.Join(",", batch.Wire!.DataPoints.Select(p => p.Span[0]));

    // A measure whose first batch (message 1) is in flight as call 0.
    private static async Task<(MeasureWriteCoalescer Coalescer, Calls Calls, Task<WriteOutcome> First)> BusyAsync(int maxMessages = 100)
    {
        MeasureWriteCoalescer coalescer = new(maxMessages, callsInFlight: 1);
        Calls calls = new();
        Task<WriteOutcome> first = coalescer.WriteAsync(Batch(s_cpm, 1), calls.Call);
        await calls.NextAsync(0);
        return (coalescer, calls, first);
    }

    [Fact]
    public async Task A_batch_to_an_idle_measure_goes_at_once_unchanged_with_its_outcome()
    {
        MeasureWriteCoalescer coalescer = new(maxMessages: 100, callsInFlight: 1);
        Calls calls = new();
        MeasureWriteBatch batch = Batch(s_cpm, 1, 2);

        Task<WriteOutcome> written = coalescer.WriteAsync(batch, calls.Call);

        Assert.Same(batch, await calls.NextAsync(0));
        calls.Answer(0, refused: 1);
        WriteOutcome outcome = await written.WaitAsync(s_wait);
        Assert.Equal([WriteStatus.Succeed, WriteStatus.InvalidTimestamp], outcome.Statuses.ToArray());
        Assert.Equal(1, outcome.Expired);
    }

    [Fact]
    public async Task Batches_arriving_during_a_call_go_together_and_each_gets_its_own_statuses()
    {
        (MeasureWriteCoalescer coalescer, Calls calls, Task<WriteOutcome> first) = await BusyAsync();
        Task<WriteOutcome> a = coalescer.WriteAsync(Batch(s_cpm, 2, 3), calls.Call);
        Task<WriteOutcome> b = coalescer.WriteAsync(Batch(s_cpm, 4), calls.Call);
        Task<WriteOutcome> c = coalescer.WriteAsync(Batch(s_cpm, 5, 6, 7), calls.Call);
        Assert.Equal(1, calls.Count);

        calls.Answer(0);
        await first.WaitAsync(s_wait);
        MeasureWriteBatch joined = await calls.NextAsync(1);
        Assert.Equal("2,3,4,5,6,7", IdsOf(joined));
        Assert.Equal("2,3,4,5,6,7", BytesOf(joined));
        Assert.Same(s_cpm, joined.Metadata);
        Assert.False(a.IsCompleted || b.IsCompleted || c.IsCompleted);

        // Joined data points 1 (message 3) and 4 (message 6) refused: the first and the third batch's second points.
        calls.Answer(1, refused: [1, 4]);
        WriteOutcome ofA = await a.WaitAsync(s_wait), ofB = await b.WaitAsync(s_wait), ofC = await c.WaitAsync(s_wait);
        Assert.Equal([WriteStatus.Succeed, WriteStatus.InvalidTimestamp], ofA.Statuses.ToArray());
        Assert.Equal([new ElementRefusal(1, "id 3")], ofA.Refusals.ToArray());
        Assert.Equal([WriteStatus.Succeed], ofB.Statuses.ToArray());
        Assert.Empty(ofB.Refusals);
        Assert.Equal([WriteStatus.Succeed, WriteStatus.InvalidTimestamp, WriteStatus.Succeed], ofC.Statuses.ToArray());
        Assert.Equal([new ElementRefusal(1, "id 6")], ofC.Refusals.ToArray());
        Assert.Equal(2, calls.Count);
    }

    [Fact]
    public async Task Another_spec_another_metadata_or_the_size_bound_makes_a_later_call_in_order()
    {
        (MeasureWriteCoalescer coalescer, Calls calls, Task<WriteOutcome> first) = await BusyAsync(maxMessages: 4);
        MeasureV1.DataPointSpec spec = new() { FieldNames = { "value" } };
        Metadata revised = new() { Group = "g", Name = "cpm", ModRevision = 7 };
        Task<WriteOutcome> a = coalescer.WriteAsync(Batch(s_cpm, 2, 3), calls.Call);
        Task<WriteOutcome> b = coalescer.WriteAsync(Batch(s_cpm, spec, 4), calls.Call);
        Task<WriteOutcome> c = coalescer.WriteAsync(Batch(s_cpm, spec, 5), calls.Call);
        Task<WriteOutcome> d = coalescer.WriteAsync(Batch(revised, 6), calls.Call);
        Task<WriteOutcome> e = coalescer.WriteAsync(Batch(revised, 7, 8, 9, 10, 11), calls.Call); // over the bound: alone

        calls.Answer(0);
        Assert.Equal("2,3", IdsOf(await calls.NextAsync(1)));
        calls.Answer(1);
        MeasureWriteBatch withSpec = await calls.NextAsync(2);
        Assert.Equal("4,5", IdsOf(withSpec));
        Assert.Equal(spec, withSpec.Spec);
        calls.Answer(2);
        Assert.Equal("6", IdsOf(await calls.NextAsync(3)));
        calls.Answer(3);
        Assert.Equal("7,8,9,10,11", IdsOf(await calls.NextAsync(4)));
        calls.Answer(4);
        await Task.WhenAll(first, a, b, c, d, e).WaitAsync(s_wait);
        Assert.Equal(5, calls.Count);
    }

    [Fact]
    public async Task A_failed_call_fails_the_batches_it_carried_and_the_measure_goes_on()
    {
        (MeasureWriteCoalescer coalescer, Calls calls, Task<WriteOutcome> first) = await BusyAsync();
        Task<WriteOutcome> a = coalescer.WriteAsync(Batch(s_cpm, 2), calls.Call);
        Task<WriteOutcome> b = coalescer.WriteAsync(Batch(s_cpm, 3), calls.Call);

        calls.Fail(0, new TimeoutException("no answer"));
        await Assert.ThrowsAsync<TimeoutException>(() => first.WaitAsync(s_wait));
        Assert.Equal("2,3", IdsOf(await calls.NextAsync(1)));
        calls.Fail(1, new InvalidOperationException("silo stopping"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.WaitAsync(s_wait));
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.WaitAsync(s_wait));

        Task<WriteOutcome> later = coalescer.WriteAsync(Batch(s_cpm, 4), calls.Call);
        Assert.Equal("4", IdsOf(await calls.NextAsync(2)));
        calls.Answer(2);
        Assert.Equal([WriteStatus.Succeed], (await later.WaitAsync(s_wait)).Statuses.ToArray());
    }

    [Fact]
    public async Task Other_measures_and_parsed_batches_do_not_wait()
    {
        (MeasureWriteCoalescer coalescer, Calls calls, Task<WriteOutcome> first) = await BusyAsync();

        Task<WriteOutcome> other = coalescer.WriteAsync(Batch(new Metadata { Group = "g", Name = "latency" }, 2), calls.Call);
        await calls.NextAsync(1);

        // A batch of parsed requests (no wire data points) cannot be joined: it goes at once, beside the call in flight.
        MeasureWriteBatch parsed = new(s_cpm, null, [new MeasureV1.WriteRequest { MessageId = 3 }]);
        Task<WriteOutcome> ofParsed = coalescer.WriteAsync(parsed, calls.Call);
        Assert.Same(parsed, await calls.NextAsync(2));

        calls.Answer(1);
        calls.Answer(2);
        await Task.WhenAll(other, ofParsed).WaitAsync(s_wait);
        Assert.False(first.IsCompleted);
        calls.Answer(0);
        await first.WaitAsync(s_wait);
        Assert.Equal(2, coalescer.LaneCount);
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeasureWriteCoalescer(maxMessages: 0, callsInFlight: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeasureWriteCoalescer(maxMessages: 1, callsInFlight: 0));
    }
}
