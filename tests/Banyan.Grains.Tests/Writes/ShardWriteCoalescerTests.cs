using Banyan.GrainInterfaces.Shards;
using Banyan.Grains.Writes;
using Banyan.Storage.Rows;
using Banyan.Storage.Values;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Grains.Tests.Writes;

/// <summary>
/// <see cref="ShardWriteCoalescer"/> joins the shard writes of one silo per (shard, subject): a write to an idle lane
/// goes at once and unchanged; writes arriving while a call is in flight go together in the next call, rows in arrival
/// order, at most <see cref="ShardWriteCoalescer.MaxRows"/> per call, in one batch allocated at its size; each write
/// completes with the call that carried it, and a failed call fails exactly its own writes while the lane goes on. (The
/// lanes themselves: <see cref="JoinedCallsTests"/>.)
/// </summary>
public sealed class ShardWriteCoalescerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private static readonly ShardGrainKey s_shard = new("g", DateTimeOffset.UnixEpoch, 0);

    private static WriteBatch Rows(params long[] timestamps)
    {
        WriteBatch batch = new(DataKind.Measure, "m");
        int column = batch.AddColumn(null, "value", ColumnValueType.Float64);
        batch.AppendKeys(1UL, timestamps, 0);
        batch.Columns[column].AppendDoubles([.. timestamps.Select(t => t * 1.5)]);
        return batch;
    }

    // A lane whose first write (row 1) is in flight as call 0.
    private static async Task<(ShardWriteCoalescer Coalescer, HeldCalls<WriteBatch, bool> Calls, Task First)> BusyLaneAsync(int maxRows)
    {
        ShardWriteCoalescer coalescer = new(maxRows, callsInFlight: 1);
        HeldCalls<WriteBatch, bool> calls = new();
        Task first = coalescer.WriteAsync(s_shard, "m", Rows(1), calls.Call);
        await calls.NextAsync(0);
        return (coalescer, calls, first);
    }

    private static string TimestampsOf(WriteBatch batch) => string.Join(",", batch.Timestamps.ToArray());

    [Fact]
    public async Task A_write_to_an_idle_lane_goes_at_once_unchanged()
    {
        ShardWriteCoalescer coalescer = new(maxRows: 100, callsInFlight: 1);
        HeldCalls<WriteBatch, bool> calls = new();
        WriteBatch batch = Rows(1, 2);

        Task written = coalescer.WriteAsync(s_shard, "m", batch, calls.Call);

        Assert.Same(batch, await calls.NextAsync(0));
        Assert.False(written.IsCompleted);
        calls.Complete(0, true);
        await written.WaitAsync(s_wait);
    }

    [Fact]
    public async Task Writes_arriving_during_a_call_go_together_in_the_next_one()
    {
        (ShardWriteCoalescer coalescer, HeldCalls<WriteBatch, bool> calls, Task first) = await BusyLaneAsync(maxRows: 100);

        Task second = coalescer.WriteAsync(s_shard, "m", Rows(2, 3), calls.Call);
        Task third = coalescer.WriteAsync(s_shard, "m", Rows(4), calls.Call);
        Task fourth = coalescer.WriteAsync(s_shard, "m", Rows(5, 6, 7), calls.Call);
        Assert.Equal(1, calls.Count);
        Assert.False(second.IsCompleted);

        calls.Complete(0, true);
        await first.WaitAsync(s_wait);
        WriteBatch joined = await calls.NextAsync(1);
        Assert.Equal("2,3,4,5,6,7", TimestampsOf(joined));
        double[] values = joined.Columns[joined.FindColumn(null, "value")].Float64Values.ToArray();
        Assert.Equal([3.0, 4.5, 6, 7.5, 9, 10.5], values);
        Assert.False(second.IsCompleted || third.IsCompleted || fourth.IsCompleted);

        calls.Complete(1, true);
        await Task.WhenAll(second, third, fourth).WaitAsync(s_wait);
        Assert.Equal(2, calls.Count);
    }

    [Fact]
    public async Task Joined_byte_string_columns_hold_every_writer_s_values_and_nulls_in_order()
    {
        (ShardWriteCoalescer coalescer, HeldCalls<WriteBatch, bool> calls, Task first) = await BusyLaneAsync(maxRows: 100);
        static WriteBatch Tagged(long timestamp, params string?[] tags)
        {
            WriteBatch batch = new(DataKind.Measure, "m");
            int value = batch.AddColumn(null, "value", ColumnValueType.Float64);
            int tag = batch.AddColumn("default", "service", ColumnValueType.String);
            batch.AppendKeys(1UL, [.. Enumerable.Range(0, tags.Length).Select(i => timestamp + i)], 0);
            batch.Columns[value].AppendDoubles([.. tags.Select(_ => 1.0)]);
            foreach (string? t in tags)
            {
                if (t is null)
                {
                    batch.Columns[tag].AppendNull();
                }
                else
                {
                    batch.Columns[tag].AppendString(t);
                }
            }

            return batch;
        }

        // The first batch's values are short, later ones long: the joined heap must hold them all, sized ahead.
        Task a = coalescer.WriteAsync(s_shard, "m", Tagged(2, "a", "b"), calls.Call);
        Task b = coalescer.WriteAsync(s_shard, "m", Tagged(4, new string('x', 300), null, "c"), calls.Call);
        Task c = coalescer.WriteAsync(s_shard, "m", Rows(7), calls.Call); // no tag column: nulls
        Task d = coalescer.WriteAsync(s_shard, "m", Tagged(8, new string('y', 1_000)), calls.Call);

        calls.Complete(0, true);
        WriteBatch joined = await calls.NextAsync(1);
        Assert.Equal("2,3,4,5,6,7,8", TimestampsOf(joined));
        Banyan.Storage.Columns.ColumnBuffer service = joined.Columns[joined.FindColumn("default", "service")];
        Assert.Equal(["a", "b", new string('x', 300), null, "c", null, new string('y', 1_000)], Enumerable.Range(0, joined.Count).Select(i => service.IsNull(i) ? null : service.GetString(i)));
        calls.Complete(1, true);
        await Task.WhenAll(first, a, b, c, d).WaitAsync(s_wait);
    }

    [Fact]
    public async Task A_joined_call_carries_at_most_max_rows_and_the_rest_follows()
    {
        (ShardWriteCoalescer coalescer, HeldCalls<WriteBatch, bool> calls, Task first) = await BusyLaneAsync(maxRows: 4);
        Task a = coalescer.WriteAsync(s_shard, "m", Rows(2, 3), calls.Call);
        Task b = coalescer.WriteAsync(s_shard, "m", Rows(4, 5), calls.Call);
        Task c = coalescer.WriteAsync(s_shard, "m", Rows(6, 7, 8, 9, 10), calls.Call); // larger than MaxRows: alone

        calls.Complete(0, true);
        Assert.Equal("2,3,4,5", TimestampsOf(await calls.NextAsync(1)));
        calls.Complete(1, true);
        await Task.WhenAll(a, b).WaitAsync(s_wait);
        Assert.Equal("6,7,8,9,10", TimestampsOf(await calls.NextAsync(2)));
        Assert.False(c.IsCompleted);
        calls.Complete(2, true);
        await Task.WhenAll(first, c).WaitAsync(s_wait);
    }

    [Fact]
    public async Task A_failed_call_fails_exactly_its_writes_and_the_lane_goes_on()
    {
        (ShardWriteCoalescer coalescer, HeldCalls<WriteBatch, bool> calls, Task first) = await BusyLaneAsync(maxRows: 100);
        Task a = coalescer.WriteAsync(s_shard, "m", Rows(2), calls.Call);
        Task b = coalescer.WriteAsync(s_shard, "m", Rows(3), calls.Call);

        calls.Fail(0, new InvalidOperationException("the shard went away"));
        InvalidOperationException own = await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(s_wait));
        Assert.Equal("the shard went away", own.Message);

        // The waiting writes still go, in their own call; its failure is theirs only.
        Assert.Equal("2,3", TimestampsOf(await calls.NextAsync(1)));
        Task later = coalescer.WriteAsync(s_shard, "m", Rows(4), calls.Call);
        calls.Fail(1, new TimeoutException("no answer"));
        await Assert.ThrowsAsync<TimeoutException>(() => a.WaitAsync(s_wait));
        await Assert.ThrowsAsync<TimeoutException>(() => b.WaitAsync(s_wait));

        Assert.Equal("4", TimestampsOf(await calls.NextAsync(2)));
        calls.Complete(2, true);
        await later.WaitAsync(s_wait);
    }

    [Fact]
    public async Task Batches_whose_columns_conflict_go_in_separate_calls_in_order()
    {
        (ShardWriteCoalescer coalescer, HeldCalls<WriteBatch, bool> calls, Task first) = await BusyLaneAsync(maxRows: 100);

        WriteBatch asInteger = new(DataKind.Measure, "m");
        asInteger.AddColumn(null, "value", ColumnValueType.Int64);
        asInteger.AppendKeys(1UL, [3L], 0);
        asInteger.Columns[0].AppendInt64s([30L]);
        Task a = coalescer.WriteAsync(s_shard, "m", Rows(2), calls.Call);
        Task b = coalescer.WriteAsync(s_shard, "m", asInteger, calls.Call);

        calls.Complete(0, true);
        Assert.Equal("2", TimestampsOf(await calls.NextAsync(1)));
        calls.Complete(1, true);
        Assert.Same(asInteger, await calls.NextAsync(2));
        calls.Complete(2, true);
        await Task.WhenAll(first, a, b).WaitAsync(s_wait);
    }

    [Fact]
    public async Task Other_shards_and_subjects_do_not_wait_for_a_busy_lane()
    {
        (ShardWriteCoalescer coalescer, HeldCalls<WriteBatch, bool> calls, Task first) = await BusyLaneAsync(maxRows: 100);

        Task otherShard = coalescer.WriteAsync(new ShardGrainKey("g", DateTimeOffset.UnixEpoch, 1), "m", Rows(2), calls.Call);
        await calls.NextAsync(1);
        WriteBatch ofOtherSubject = new(DataKind.Measure, "n");
        ofOtherSubject.AppendKeys(2UL, [3L], 0);
        Task otherSubject = coalescer.WriteAsync(s_shard, "n", ofOtherSubject, calls.Call);
        await calls.NextAsync(2);
        Assert.Equal(3, coalescer.LaneCount);

        calls.Complete(1, true);
        calls.Complete(2, true);
        await Task.WhenAll(otherShard, otherSubject).WaitAsync(s_wait);
        Assert.False(first.IsCompleted);
        calls.Complete(0, true);
        await first.WaitAsync(s_wait);
        Assert.Equal(0, coalescer.LaneCount); // idle lanes are dropped
    }

    [Fact]
    public async Task Two_calls_in_flight_let_a_second_write_go_at_once()
    {
        ShardWriteCoalescer coalescer = new(maxRows: 100, callsInFlight: 2);
        HeldCalls<WriteBatch, bool> calls = new();
        Task first = coalescer.WriteAsync(s_shard, "m", Rows(1), calls.Call);
        Task second = coalescer.WriteAsync(s_shard, "m", Rows(2), calls.Call);
        await calls.NextAsync(0);
        await calls.NextAsync(1);
        Task third = coalescer.WriteAsync(s_shard, "m", Rows(3), calls.Call);
        Assert.Equal(2, calls.Count);

        calls.Complete(1, true);
        await second.WaitAsync(s_wait);
        Assert.Equal("3", TimestampsOf(await calls.NextAsync(2)));
        calls.Complete(0, true);
        calls.Complete(2, true);
        await Task.WhenAll(first, third).WaitAsync(s_wait);
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardWriteCoalescer(maxRows: 0, callsInFlight: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardWriteCoalescer(maxRows: 1, callsInFlight: 0));
    }
}
