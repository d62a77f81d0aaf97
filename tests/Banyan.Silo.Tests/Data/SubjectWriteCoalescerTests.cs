using System.Collections.Immutable;
using Banyan.Api.Common.V1;
using Banyan.GrainInterfaces.Writes;
using Banyan.Silo.Data;
using Banyan.Tests.Shared.Writes;
using MeasureV1 = Banyan.Api.Measure.V1;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Tests.Data;

/// <summary>
/// <see cref="SubjectWriteCoalescer"/> joins the write batches of a silo's streams per measure or stream: a batch to an
/// idle subject goes at once and unchanged; batches arriving while a call is in flight go together in the next call,
/// their elements in arrival order (the same slices, not copies); each batch gets its own elements' statuses and
/// refusals, renumbered from 0; batches with another spec or metadata go in a later call; measure batches of parsed
/// requests never wait. (The lanes themselves: <c>JoinedCallsTests</c>.)
/// </summary>
public sealed class SubjectWriteCoalescerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private static readonly Metadata s_cpm = new() { Group = "g", Name = "cpm" };

    // Every element succeeds except those listed, refused with their message id in the reason.
    private static WriteOutcome Outcome(ulong[] ids, params int[] refused) => new(
        [.. Enumerable.Range(0, ids.Length).Select(i => refused.Contains(i) ? WriteStatus.InvalidTimestamp : WriteStatus.Succeed)],
        [.. refused.Select(i => new ElementRefusal(i, "id " + ids[i]))],
        Expired: 1);

    // A measure batch whose data points' bytes are their message ids (one byte each), so a joined call shows whose they are.
    private static MeasureWriteBatch Measure(Metadata metadata, MeasureV1.DataPointSpec? spec, params ulong[] ids)
        => new(metadata, spec, [], new WireDataPoints([.. ids.Select(id => (ReadOnlyMemory<byte>)new byte[] { (byte)id })], ids));

    private static StreamWriteBatch Stream(Metadata metadata, ImmutableArray<StreamV1.TagFamilySpec> spec, params ulong[] ids)
        => new(metadata, spec, [.. ids.Select(id => new StreamV1.WriteRequest { MessageId = id })]);

    private static string IdsOf(MeasureWriteBatch batch) => string.Join(",", Enumerable.Range(0, batch.Count).Select(batch.Wire!.MessageId));

    private static string IdsOf(StreamWriteBatch batch) => string.Join(",", batch.Requests.Select(r => r.MessageId));

    [Fact]
    public async Task A_batch_to_an_idle_measure_goes_at_once_unchanged_with_its_outcome()
    {
        SubjectWriteCoalescer coalescer = new(maxElements: 100, callsInFlight: 1);
        HeldCalls<MeasureWriteBatch, WriteOutcome> calls = new();
        MeasureWriteBatch batch = Measure(s_cpm, null, 1, 2);

        Task<WriteOutcome> written = coalescer.WriteAsync(batch, calls.Call);

        Assert.Same(batch, await calls.NextAsync(0));
        WriteOutcome outcome = Outcome([1, 2], 1);
        calls.Complete(0, outcome);
        Assert.Same(outcome, await written.WaitAsync(s_wait));
    }

    [Fact]
    public async Task Measure_batches_arriving_during_a_call_go_together_and_each_gets_its_own_statuses()
    {
        SubjectWriteCoalescer coalescer = new(maxElements: 100, callsInFlight: 1);
        HeldCalls<MeasureWriteBatch, WriteOutcome> calls = new();
        Task<WriteOutcome> first = coalescer.WriteAsync(Measure(s_cpm, null, 1), calls.Call);
        await calls.NextAsync(0);
        Task<WriteOutcome> a = coalescer.WriteAsync(Measure(s_cpm, null, 2, 3), calls.Call);
        Task<WriteOutcome> b = coalescer.WriteAsync(Measure(s_cpm, null, 4), calls.Call);
        Task<WriteOutcome> c = coalescer.WriteAsync(Measure(s_cpm, null, 5, 6, 7), calls.Call);

        calls.Complete(0, Outcome([1]));
        await first.WaitAsync(s_wait);
        MeasureWriteBatch joined = await calls.NextAsync(1);
        Assert.Equal("2,3,4,5,6,7", IdsOf(joined));
        Assert.Equal([2, 3, 4, 5, 6, 7], Enumerable.Range(0, joined.Count).Select(i => (int)joined.Wire!.DataPoint(i)[0]));
        Assert.Same(s_cpm, joined.Metadata);

        // Joined data points 1 (message 3) and 4 (message 6) refused: the first and the third batch's second points.
        calls.Complete(1, Outcome([2, 3, 4, 5, 6, 7], 1, 4));
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
    public async Task Another_spec_or_metadata_makes_a_later_call_and_parsed_batches_do_not_wait()
    {
        SubjectWriteCoalescer coalescer = new(maxElements: 100, callsInFlight: 1);
        HeldCalls<MeasureWriteBatch, WriteOutcome> calls = new();
        Task<WriteOutcome> first = coalescer.WriteAsync(Measure(s_cpm, null, 1), calls.Call);
        await calls.NextAsync(0);
        MeasureV1.DataPointSpec spec = new() { FieldNames = { "value" } };
        Metadata revised = new() { Group = "g", Name = "cpm", ModRevision = 7 };
        Task<WriteOutcome>[] later = [
            coalescer.WriteAsync(Measure(s_cpm, null, 2), calls.Call),
            coalescer.WriteAsync(Measure(s_cpm, spec, 3), calls.Call),
            coalescer.WriteAsync(Measure(s_cpm, spec, 4), calls.Call),
            coalescer.WriteAsync(Measure(revised, null, 5), calls.Call)];

        // A batch of parsed requests (no wire data points) cannot be joined: it goes at once, beside the call in flight.
        MeasureWriteBatch parsed = new(s_cpm, null, [new MeasureV1.WriteRequest { MessageId = 9 }]);
        Task<WriteOutcome> ofParsed = coalescer.WriteAsync(parsed, calls.Call);
        Assert.Same(parsed, await calls.NextAsync(1));
        calls.Complete(1, Outcome([9]));
        await ofParsed.WaitAsync(s_wait);

        calls.Complete(0, Outcome([1]));
        string[] expected = ["2", "3,4", "5"];
        for (int i = 0; i < expected.Length; i++)
        {
            MeasureWriteBatch carried = await calls.NextAsync(i + 2);
            Assert.Equal(expected[i], IdsOf(carried));
            calls.Complete(i + 2, Outcome([.. Enumerable.Range(0, carried.Count).Select(carried.Wire!.MessageId)]));
        }

        Assert.Equal(spec, (await calls.NextAsync(3)).Spec);
        await Task.WhenAll([first, .. later]).WaitAsync(s_wait);
    }

    [Fact]
    public async Task Stream_batches_join_per_stream_and_spec_and_each_gets_its_own_statuses()
    {
        SubjectWriteCoalescer coalescer = new(maxElements: 100, callsInFlight: 1);
        HeldCalls<StreamWriteBatch, WriteOutcome> calls = new();
        Metadata sw = new() { Group = "g", Name = "sw" };
        ImmutableArray<StreamV1.TagFamilySpec> spec = [new StreamV1.TagFamilySpec { Name = "searchable", TagNames = { "trace_id" } }];
        Task<WriteOutcome> first = coalescer.WriteAsync(Stream(sw, [], 1), calls.Call);
        await calls.NextAsync(0);
        Task<WriteOutcome> a = coalescer.WriteAsync(Stream(sw, [], 2, 3), calls.Call);
        Task<WriteOutcome> b = coalescer.WriteAsync(Stream(sw, [], 4), calls.Call);
        Task<WriteOutcome> c = coalescer.WriteAsync(Stream(sw, spec, 5), calls.Call);

        calls.Complete(0, Outcome([1]));
        StreamWriteBatch joined = await calls.NextAsync(1);
        Assert.Equal("2,3,4", IdsOf(joined));
        calls.Complete(1, Outcome([2, 3, 4], 2));
        Assert.Equal([WriteStatus.Succeed, WriteStatus.Succeed], (await a.WaitAsync(s_wait)).Statuses.ToArray());
        WriteOutcome ofB = await b.WaitAsync(s_wait);
        Assert.Equal([WriteStatus.InvalidTimestamp], ofB.Statuses.ToArray());
        Assert.Equal([new ElementRefusal(0, "id 4")], ofB.Refusals.ToArray());

        StreamWriteBatch withSpec = await calls.NextAsync(2);
        Assert.Equal("5", IdsOf(withSpec));
        Assert.Equal(spec, withSpec.Spec);
        calls.Complete(2, Outcome([5]));
        await Task.WhenAll(first, c).WaitAsync(s_wait);
    }
}
