using System.Collections.Concurrent;
using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Hosting;
using Banyan.Storage.Columns;
using Banyan.Storage.Rows;
using Microsoft.Extensions.Options;

namespace Banyan.Grains.Writes;

/// <summary>
/// Joins the shard writes of one silo that go to the same shard grain and subject: at most
/// <see cref="CallsInFlight"/> grain calls per (shard, subject) are in flight, and the sub-batches that arrive meanwhile
/// wait and then go together, concatenated into one batch of at most <see cref="MaxRows"/> rows, in the next call. Each
/// write completes when the call that carried its rows succeeded, and fails with that call's exception.
/// </summary>
/// <remarks>
/// Why: every write stream's batch is cut by shard and by measure, so a shard grain got calls of about a hundred rows
/// each, and a call's fixed costs (the grain message, the WAL record and its place in the group commit, the buffered
/// write, the TopN feed) were paid per hundred rows (docs/benchmarks.md, "Shard writes joined per shard"). A write that
/// finds its lane idle is sent at once, so a lone writer waits for nothing; under load the batches grow with the
/// number of writers, as a group commit does. Rows of sub-batches whose columns conflict (a column's type changed) go in
/// separate calls, one after the other.
/// </remarks>
public sealed class ShardWriteCoalescer
{
    private readonly ConcurrentDictionary<(ShardGrainKey Shard, string Subject), Lane> _lanes = new();

    /// <summary>A coalescer with the silo's settings (<see cref="WriteOptions.ShardWriteMaxRows"/>, <see cref="WriteOptions.ShardWriteCallsInFlight"/>).</summary>
    public ShardWriteCoalescer(IOptions<BanyanSiloOptions> options)
        : this(options?.Value.Write.ShardWriteMaxRows ?? throw new ArgumentNullException(nameof(options)), options.Value.Write.ShardWriteCallsInFlight)
    {
    }

    /// <summary>A coalescer that joins up to <paramref name="maxRows"/> rows per call, <paramref name="callsInFlight"/> calls per lane at once.</summary>
    public ShardWriteCoalescer(int maxRows, int callsInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsInFlight);
        MaxRows = maxRows;
        CallsInFlight = callsInFlight;
    }

    /// <summary>The most rows a joined call carries (a single larger sub-batch still goes whole, alone).</summary>
    public int MaxRows { get; }

    /// <summary>Grain calls per (shard, subject) in flight at once.</summary>
    public int CallsInFlight { get; }

    /// <summary>Lanes (shard, subject) this silo has written to: for tests and metrics.</summary>
    internal int LaneCount => _lanes.Count;

    /// <summary>
    /// Writes <paramref name="batch"/> of <paramref name="subject"/> to <paramref name="shard"/>: through
    /// <paramref name="call"/> at once when the lane has room, else with the rows that wait beside it in a later call made
    /// through the first waiting write's <paramref name="call"/>. The batch must not change after this call.
    /// </summary>
    /// <param name="shard">The shard grain.</param>
    /// <param name="subject">The batch's subject (its rows' series ids were computed with it).</param>
    /// <param name="batch">The rows.</param>
    /// <param name="call">Sends a batch to the shard grain (the grain call).</param>
    public Task WriteAsync(ShardGrainKey shard, string subject, WriteBatch batch, Func<WriteBatch, Task> call)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(call);
        Lane lane = _lanes.GetOrAdd((shard, subject), static _ => new Lane());
        lock (lane)
        {
            if (lane.InFlight >= CallsInFlight)
            {
                Waiter waiter = new(batch, call);
                lane.Waiting.Enqueue(waiter);
                return waiter.Done.Task;
            }

            lane.InFlight++;
        }

        return SendOwnAsync(lane, batch, call);
    }

    // The caller's own call, awaited by the caller; afterwards the lane's waiting rows (if any) go on the thread pool,
    // outside the caller's grain turn, so no grain's activation carries other writers' calls.
    private async Task SendOwnAsync(Lane lane, WriteBatch batch, Func<WriteBatch, Task> call)
    {
        try
        {
            await call(batch);
        }
        finally
        {
            SendNext(lane);
        }
    }

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

            // At least one waiter; more while they fit under MaxRows.
            int rows = 0;
            while (lane.Waiting.TryPeek(out Waiter? next) && (taken.Count == 0 || rows + next.Batch.Count <= MaxRows))
            {
                taken.Add(lane.Waiting.Dequeue());
                rows += next.Batch.Count;
            }
        }

        _ = Task.Run(() => SendTakenAsync(lane, taken));
    }

    private async Task SendTakenAsync(Lane lane, List<Waiter> taken)
    {
        try
        {
            int start = 0;
            while (start < taken.Count)
            {
                (WriteBatch joined, int end) = Join(taken, start);
                try
                {
                    await taken[start].Call(joined);
                    for (int i = start; i < end; i++)
                    {
                        taken[i].Done.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    for (int i = start; i < end; i++)
                    {
                        taken[i].Done.TrySetException(e);
                    }
                }

                start = end;
            }
        }
        catch (Exception e)
        {
            // Joining failed (a bug): the writes not answered yet fail with it rather than wait for ever.
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

    /// <summary>
    /// The batches of <paramref name="taken"/> from <paramref name="start"/> joined into one, up to the first whose
    /// columns conflict with those before it (exclusive end returned); a lone batch goes as it is, without a copy.
    /// </summary>
    private static (WriteBatch Joined, int End) Join(List<Waiter> taken, int start)
    {
        WriteBatch first = taken[start].Batch;
        if (start + 1 == taken.Count)
        {
            return (first, start + 1);
        }

        int rows = 0;
        for (int i = start; i < taken.Count; i++)
        {
            rows += taken[i].Batch.Count;
        }

        WriteBatch joined = new(first.Kind, first.Subject);
        foreach (ColumnBuffer column in first.Columns)
        {
            joined.AddColumn(column.Family, column.Name, column.Type);
        }

        // Rows and byte-string bytes reserved exactly: grown on the way, the joined heaps took two to three times their
        // size in discarded arrays, the largest allocation of the write path (docs/benchmarks.md, "Joined batches sized").
        joined.Reserve(rows);
        foreach (ColumnBuffer column in joined.Columns)
        {
            long bytes = 0;
            for (int i = start; i < taken.Count; i++)
            {
                WriteBatch batch = taken[i].Batch;
                int index = batch.FindColumn(column.Family, column.Name);
                bytes += index >= 0 ? batch.Columns[index].HeapLength : 0;
            }

            column.ReserveBytes((int)Math.Min(bytes, Array.MaxLength));
        }

        int end = start;
        while (end < taken.Count && joined.TryAppendBatch(taken[end].Batch))
        {
            end++;
        }

        return end == start + 1 ? (first, end) : (joined, end);
    }

    /// <summary>A write waiting for its lane: its rows, how to send them, and its completion.</summary>
    private sealed class Waiter(WriteBatch batch, Func<WriteBatch, Task> call)
    {
        public WriteBatch Batch { get; } = batch;

        public Func<WriteBatch, Task> Call { get; } = call;

        // Completed from the thread pool: the waiting writer's continuation runs in its own turn, never inline here.
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // One (shard, subject): its calls in flight and the writes waiting for one. Locked on itself.
    private sealed class Lane
    {
        public int InFlight { get; set; }

        public Queue<Waiter> Waiting { get; } = new();
    }
}
