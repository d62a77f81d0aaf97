using Banyan.Storage.Parts;
using Banyan.Storage.Rows;
using Banyan.Storage.Shards;

namespace Banyan.Storage.Tests.Shards;

/// <summary>
/// A memory budget bounds what the shards sharing it hold together, where each shard's own bound is far away: past the
/// budget's threshold the shard holding the most is flushed, a write past its bound waits for another shard's flush
/// and then lands, a wait no flush can end fails naming the budget and writes nothing, and every byte counted comes
/// back when shards flush and close (also what a WAL replay charged).
/// </summary>
public sealed class MemoryBudgetTests : IDisposable
{
    private readonly ShardLeakCheck _leaks = new();

    public void Dispose() => _leaks.Dispose();

    // Each shard's own thresholds are far above anything the tests write: only the budget can start a flush.
    private static ShardOptions Options(MemoryBudget budget, TimeSpan? wait = null) => new()
    {
        PartWriter = PartWriterOptions.Default with { Fsync = false },
        FlushThresholdBytes = 64L << 20,
        MaxMemoryBytes = 128L << 20,
        MemoryBudget = budget,
        WaitTimeout = wait ?? TimeSpan.FromSeconds(30),
    };

    // FloatRows' batches of 50 rows: every key distinct, each batch the same size in memory.
    private static WriteBatch Batch(int batch) => FloatRows.Batch(batch, rows: 50);

    private static long BatchBytes => BatchConcatenation.EstimateBytes(Batch(0));

    private static int CountRows(Shard shard) => FloatRows.ReadAll(shard).Count;

    [Fact]
    public async Task Past_the_budgets_threshold_the_shard_holding_the_most_is_flushed()
    {
        using TempDirectory dir = new();
        MemoryBudget budget = new(flushThresholdBytes: 6 * BatchBytes, maxBytes: 1L << 20);
        Shard small = _leaks.Open(Path.Combine(dir.Path, "small"), Options(budget));
        Shard large = _leaks.Open(Path.Combine(dir.Path, "large"), Options(budget));
        Assert.Equal(2, budget.ShardCount);

        await small.WriteAsync(Batch(1));
        for (int b = 0; b < 4; b++)
        {
            await large.WriteAsync(Batch(100 + b));
        }

        await large.WhenIdleAsync();
        Assert.Equal(5 * BatchBytes, budget.HeldBytes);
        Assert.Empty(large.DiskPartIds); // below the threshold nothing is flushed

        await large.WriteAsync(Batch(200)); // the write that takes the budget to its threshold asks for relief
        await large.WhenIdleAsync();
        await small.WhenIdleAsync();

        Assert.Single(large.DiskPartIds);
        Assert.Equal(0, large.MemoryBytes);
        Assert.Empty(small.DiskPartIds); // the shard holding less is left alone
        Assert.Equal(BatchBytes, small.MemoryBytes);
        Assert.Equal(small.MemoryBytes + large.MemoryBytes, budget.HeldBytes);
        Assert.Equal((50, 250), (CountRows(small), CountRows(large)));
    }

    [Fact]
    public async Task A_write_past_the_budgets_bound_waits_for_another_shards_flush_and_then_lands()
    {
        using TempDirectory dir = new();

        // Threshold and bound equal: no write crosses the threshold, so only the waiting write asks for relief.
        MemoryBudget budget = new(flushThresholdBytes: 4 * BatchBytes, maxBytes: 4 * BatchBytes);
        Shard full = _leaks.Open(Path.Combine(dir.Path, "full"), Options(budget));
        Shard other = _leaks.Open(Path.Combine(dir.Path, "other"), Options(budget));
        for (int b = 0; b < 4; b++)
        {
            await full.WriteAsync(Batch(b));
        }

        Assert.Equal(4 * BatchBytes, budget.HeldBytes);
        Assert.Empty(full.DiskPartIds);

        await other.WriteAsync(Batch(9)).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Single(full.DiskPartIds); // the budget flushed the shard holding the memory, not the waiting one
        Assert.Equal((200, 50), (CountRows(full), CountRows(other)));
        Assert.Equal(BatchBytes, budget.HeldBytes);
    }

    [Fact]
    public async Task A_write_no_flush_can_make_room_for_in_time_fails_naming_the_budget_and_writes_nothing()
    {
        using TempDirectory dir = new();
        MemoryBudget budget = new(flushThresholdBytes: 2 * BatchBytes, maxBytes: 2 * BatchBytes);
        Shard full = _leaks.Open(Path.Combine(dir.Path, "full"), Options(budget));
        Shard other = _leaks.Open(Path.Combine(dir.Path, "other"), Options(budget, TimeSpan.FromMilliseconds(800)));
        await full.WriteAsync(Batch(1));
        TimeoutException timeout;

        // Installs are held before the second write: the flush it asks for (the budget's threshold is two batches) could
        // otherwise install, and free the memory the next write waits for, before the gate closes (CI saw it once).
        using (full.PartSet.HoldInstallsForTest())
        {
            await full.WriteAsync(Batch(2));
            timeout = await Assert.ThrowsAsync<TimeoutException>(async () => await other.WriteAsync(Batch(3)));
        }

        Assert.Contains("memory budget", timeout.Message, StringComparison.Ordinal);
        Assert.Contains((2 * BatchBytes).ToString(System.Globalization.CultureInfo.InvariantCulture), timeout.Message, StringComparison.Ordinal);
        Assert.Equal(0, CountRows(other));
        Assert.Equal(0, other.MemoryBytes);
        await full.WhenIdleAsync();
        Assert.Equal(full.MemoryBytes + other.MemoryBytes, budget.HeldBytes); // the refused write's reservation came back
    }

    [Fact]
    public async Task Every_byte_comes_back_when_shards_flush_and_close_and_a_replay_is_counted_again()
    {
        using TempDirectory dir = new();
        MemoryBudget budget = new(flushThresholdBytes: 1L << 20, maxBytes: 2L << 20);
        string flushedPath = Path.Combine(dir.Path, "flushed");
        string keptPath = Path.Combine(dir.Path, "kept");
        Shard flushed = _leaks.Open(flushedPath, Options(budget));
        Shard kept = _leaks.Open(keptPath, Options(budget));
        for (int b = 0; b < 3; b++)
        {
            await flushed.WriteAsync(Batch(b));
            await kept.WriteAsync(Batch(b));
        }

        Assert.Equal(6 * BatchBytes, budget.HeldBytes);
        await flushed.FlushAsync();
        Assert.Equal(3 * BatchBytes, budget.HeldBytes);

        // Closed with the WAL on, the kept shard drops its memory (the WAL has it): the budget gets it back.
        await flushed.DisposeAsync();
        await kept.DisposeAsync();
        Assert.Equal((0L, 0), (budget.HeldBytes, budget.ShardCount));

        // Reopened, the replayed writes are held again, and counted again.
        Shard reopened = _leaks.Open(keptPath, Options(budget));
        Assert.Equal(150, CountRows(reopened));
        Assert.True(reopened.MemoryBytes > 0);
        Assert.Equal(reopened.MemoryBytes, budget.HeldBytes);
        await reopened.DisposeAsync();
        Assert.Equal(0L, budget.HeldBytes);
    }

    [Fact]
    public void A_budget_refuses_a_threshold_that_is_not_positive_or_a_bound_below_it()
    {
        ArgumentOutOfRangeException zero = Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBudget(0, 10));
        Assert.Equal("flushThresholdBytes", zero.ParamName);
        ArgumentOutOfRangeException below = Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBudget(10, 9));
        Assert.Equal("maxBytes", below.ParamName);
        Assert.Contains("flush threshold", below.Message, StringComparison.Ordinal);
    }
}
