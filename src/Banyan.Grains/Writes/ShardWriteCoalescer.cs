using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Hosting;
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
/// number of writers, as a group commit does (<see cref="JoinedCalls{TKey, TItem, TResult}"/>). A sub-batch whose columns
/// conflict with those taken before it (a column's type changed) goes in a later call.
/// </remarks>
public sealed class ShardWriteCoalescer
{
    private readonly JoinedCalls<(ShardGrainKey Shard, string Subject), WriteBatch, bool> _calls;

    /// <summary>A coalescer with the silo's settings (<see cref="WriteOptions.ShardWriteMaxRows"/>, <see cref="WriteOptions.ShardWriteCallsInFlight"/>).</summary>
    public ShardWriteCoalescer(IOptions<BanyanSiloOptions> options)
        : this(options?.Value.Write.ShardWriteMaxRows ?? throw new ArgumentNullException(nameof(options)), options.Value.Write.ShardWriteCallsInFlight)
    {
    }

    /// <summary>A coalescer that joins up to <paramref name="maxRows"/> rows per call, <paramref name="callsInFlight"/> calls per lane at once.</summary>
    public ShardWriteCoalescer(int maxRows, int callsInFlight)
    {
        _calls = new(maxRows, callsInFlight, static batch => batch.Count, static (taken, next) => !taken.Any(next.ConflictsWith));
    }

    /// <summary>The most rows a joined call carries (a single larger sub-batch still goes whole, alone).</summary>
    public int MaxRows => _calls.MaxSize;

    /// <summary>Grain calls per (shard, subject) in flight at once.</summary>
    public int CallsInFlight => _calls.CallsInFlight;

    /// <summary>Lanes (shard, subject) with a call in flight or writes waiting: for tests.</summary>
    internal int LaneCount => _calls.LaneCount;

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
        return _calls.CallAsync((shard, subject), batch, async batches =>
        {
            // A lone batch goes as it is; several are copied into one, allocated once at its size.
            await call(batches.Count == 1 ? batches[0] : WriteBatch.Concatenate(batches));
            return new bool[batches.Count];
        });
    }
}
