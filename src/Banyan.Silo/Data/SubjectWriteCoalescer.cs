using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Banyan.GrainInterfaces.Writes;
using Banyan.Grains.Writes;
using StreamV1 = Banyan.Api.Stream.V1;

namespace Banyan.Silo.Data;

/// <summary>
/// Joins the write batches of this silo's write streams that go to the same measure or stream: at most
/// <see cref="CallsInFlight"/> grain calls per subject are in flight, and the batches of other streams that arrive
/// meanwhile wait and then go together, their elements side by side (references, no byte copied), in one call of at most
/// <see cref="MaxElements"/> elements (<see cref="JoinedCalls{TKey, TItem, TResult}"/>). Each batch gets the statuses of
/// its own elements from the joined outcome; a failed call fails every batch it carried.
/// </summary>
/// <remarks>
/// Why: a stream's batch ends at every change of subject, so a scraper-like client (each timestamp's points measure by
/// measure) sends batches of a few hundred points per stream, and every batch paid a grain call, a plan and a shard write
/// per shard, whose joining further down copied every row once more (docs/benchmarks.md, "Write streams joined per
/// measure"). Batches join only when their metadata and spec are equal; a batch that finds its subject idle is sent at
/// once, so a lone stream waits for nothing.
/// </remarks>
public sealed class SubjectWriteCoalescer
{
    // On the write path's meter (exported at /metrics as banyan_write_joined_batches_total): how often joining happens.
    private static readonly Meter s_meter = new("Banyan.Writes");
    private static readonly Counter<long> s_joined = s_meter.CreateCounter<long>("banyan.write.joined.batches", "{batch}", "Write batches of several streams that went in one grain call with others.");

    private readonly JoinedCalls<(string Group, string Name), MeasureWriteBatch, WriteOutcome> _measures;
    private readonly JoinedCalls<(string Group, string Name), StreamWriteBatch, WriteOutcome> _streams;

    /// <summary>A coalescer that joins up to <paramref name="maxElements"/> elements per call, <paramref name="callsInFlight"/> calls per subject at once.</summary>
    public SubjectWriteCoalescer(int maxElements, int callsInFlight)
    {
        _measures = new(maxElements, callsInFlight, static b => b.Count, static (taken, next) => Equals(taken[0].Metadata, next.Metadata) && Equals(taken[0].Spec, next.Spec));
        _streams = new(maxElements, callsInFlight, static b => b.Requests.Length, static (taken, next) => Equals(taken[0].Metadata, next.Metadata) && taken[0].Spec.SequenceEqual(next.Spec));
    }

    /// <summary>The most elements a joined call carries (a single larger batch still goes whole, alone).</summary>
    public int MaxElements => _measures.MaxSize;

    /// <summary>Grain calls per subject in flight at once.</summary>
    public int CallsInFlight => _measures.CallsInFlight;

    /// <summary>
    /// Writes a measure batch through <paramref name="call"/> at once when its measure has a call to spare, else with the
    /// batches that wait beside it in a later call; completes with the outcome of its own data points. A batch of parsed
    /// requests (no <see cref="MeasureWriteBatch.Wire"/> data points) is not joined: it goes at once.
    /// </summary>
    public Task<WriteOutcome> WriteAsync(MeasureWriteBatch batch, Func<MeasureWriteBatch, Task<WriteOutcome>> call)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(call);
        return _measures.CallAsync((batch.Metadata.Group, batch.Metadata.Name), batch, async batches => Split(await call(Join(batches)), batches, b => b.Count), mayWait: batch.Wire is not null);
    }

    /// <summary>As <see cref="WriteAsync(MeasureWriteBatch, Func{MeasureWriteBatch, Task{WriteOutcome}})"/>, for a stream batch.</summary>
    public Task<WriteOutcome> WriteAsync(StreamWriteBatch batch, Func<StreamWriteBatch, Task<WriteOutcome>> call)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(call);
        return _streams.CallAsync((batch.Metadata.Group, batch.Metadata.Name), batch, async batches => Split(await call(Join(batches)), batches, b => b.Requests.Length));
    }

    /// <summary>
    /// The batches' data points and message ids one after the other, in one batch: each batch's arrays as a run of the
    /// joined one (<see cref="WireDataPoints.Join"/>), so joining copies neither the bytes nor the slices.
    /// </summary>
    internal static MeasureWriteBatch Join(IReadOnlyList<MeasureWriteBatch> batches)
    {
        MeasureWriteBatch first = batches[0];
        if (batches.Count == 1)
        {
            return first;
        }

        var parts = new WireDataPoints[batches.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = batches[i].Wire!;
        }

        s_joined.Add(batches.Count, new KeyValuePair<string, object?>("group", first.Metadata.Group));
        return new MeasureWriteBatch(first.Metadata, first.Spec, [], WireDataPoints.Join(parts));
    }

    /// <summary>The batches' requests one after the other, in one batch.</summary>
    internal static StreamWriteBatch Join(IReadOnlyList<StreamWriteBatch> batches)
    {
        StreamWriteBatch first = batches[0];
        if (batches.Count == 1)
        {
            return first;
        }

        ImmutableArray<StreamV1.WriteRequest>.Builder requests = ImmutableArray.CreateBuilder<StreamV1.WriteRequest>(batches.Sum(b => b.Requests.Length));
        foreach (StreamWriteBatch batch in batches)
        {
            requests.AddRange(batch.Requests);
        }

        s_joined.Add(batches.Count, new KeyValuePair<string, object?>("group", first.Metadata.Group));
        return first with { Requests = requests.MoveToImmutable() };
    }

    // Each batch's share of the joined outcome (the joined outcome itself for a lone batch).
    private static WriteOutcome[] Split<TBatch>(WriteOutcome joined, IReadOnlyList<TBatch> batches, Func<TBatch, int> countOf)
    {
        if (batches.Count == 1)
        {
            return [joined];
        }

        var outcomes = new WriteOutcome[batches.Count];
        int start = 0;
        for (int i = 0; i < outcomes.Length; i++)
        {
            int count = countOf(batches[i]);
            outcomes[i] = Slice(joined, start, count);
            start += count;
        }

        return outcomes;
    }

    /// <summary>
    /// The outcome of elements <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> of a joined
    /// call, numbered from 0: their statuses and refusals. The expired count stays with the joined call (the subject's
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
}
