using Banyan.Grains.Writes;
using Banyan.Tests.Shared.Writes;

namespace Banyan.Grains.Tests.Writes;

/// <summary>
/// <see cref="JoinedCalls{TKey, TItem, TResult}"/>: an item whose key has a call to spare goes at once, alone; items that
/// arrive while the key's calls are in flight wait and go together in the next call, in arrival order, as many as fit the
/// size bound and join; each gets its own result, or the call's exception; other keys and items that may not wait never
/// wait.
/// </summary>
public sealed class JoinedCallsTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    // Items are strings; an item's size is its length; "x..." items do not join with others; a call's results are the
    // items upper-cased.
    private static JoinedCalls<string, string, string> NewCalls(int maxSize = 100, int callsInFlight = 1)
        => new(maxSize, callsInFlight, static item => item.Length, static (taken, next) => !next.StartsWith('x') && !taken[0].StartsWith('x'));

    private static Func<IReadOnlyList<string>, Task<IReadOnlyList<string>>> Via(HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls) => calls.Call;

    private static void Answer(HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls, int index, IReadOnlyList<string> items)
        => calls.Complete(index, [.. items.Select(i => i.ToUpperInvariant())]);

    // A key "k" whose first item ("a") is in flight as call 0.
    private static async Task<(JoinedCalls<string, string, string> Joined, HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> Calls, Task<string> First)> BusyAsync(int maxSize = 100)
    {
        JoinedCalls<string, string, string> joined = NewCalls(maxSize);
        HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls = new();
        Task<string> first = joined.CallAsync("k", "a", Via(calls));
        Assert.Equal(["a"], await calls.NextAsync(0));
        return (joined, calls, first);
    }

    [Fact]
    public async Task Items_arriving_during_a_call_go_together_in_order_and_each_gets_its_own_result()
    {
        (JoinedCalls<string, string, string> joined, HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls, Task<string> first) = await BusyAsync();
        Task<string> b = joined.CallAsync("k", "bb", Via(calls));
        Task<string> c = joined.CallAsync("k", "c", Via(calls));
        Assert.Equal(1, calls.Count);
        Assert.False(b.IsCompleted);

        Answer(calls, 0, ["a"]);
        Assert.Equal("A", await first.WaitAsync(s_wait));
        IReadOnlyList<string> carried = await calls.NextAsync(1);
        Assert.Equal(["bb", "c"], carried);
        Answer(calls, 1, carried);
        Assert.Equal("BB", await b.WaitAsync(s_wait));
        Assert.Equal("C", await c.WaitAsync(s_wait));
        Assert.Equal(2, calls.Count);
    }

    [Fact]
    public async Task The_size_bound_and_the_join_rule_leave_items_for_later_calls_in_order()
    {
        (JoinedCalls<string, string, string> joined, HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls, Task<string> first) = await BusyAsync(maxSize: 4);
        Task<string>[] later = [.. new[] { "bb", "cc", "d", "xe", "ffffff" }.Select(item => joined.CallAsync("k", item, Via(calls)))];

        string[][] expected = [["bb", "cc"], ["d"], ["xe"], ["ffffff"]]; // "d" would pass the bound; "xe" joins nothing; "ffffff" is larger than the bound: alone
        Answer(calls, 0, ["a"]);
        for (int i = 0; i < expected.Length; i++)
        {
            IReadOnlyList<string> carried = await calls.NextAsync(i + 1);
            Assert.Equal(expected[i], carried);
            Answer(calls, i + 1, carried);
        }

        Assert.Equal(["BB", "CC", "D", "XE", "FFFFFF"], await Task.WhenAll(later).WaitAsync(s_wait));
        await first.WaitAsync(s_wait);
    }

    [Fact]
    public async Task A_failed_call_fails_exactly_its_items_and_the_key_goes_on()
    {
        (JoinedCalls<string, string, string> joined, HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls, Task<string> first) = await BusyAsync();
        Task<string> b = joined.CallAsync("k", "b", Via(calls));
        Task<string> c = joined.CallAsync("k", "c", Via(calls));

        calls.Fail(0, new InvalidOperationException("the shard went away"));
        Assert.Equal("the shard went away", (await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(s_wait))).Message);
        Assert.Equal(["b", "c"], await calls.NextAsync(1));
        Task<string> d = joined.CallAsync("k", "d", Via(calls));
        calls.Fail(1, new TimeoutException("no answer"));
        await Assert.ThrowsAsync<TimeoutException>(() => b.WaitAsync(s_wait));
        await Assert.ThrowsAsync<TimeoutException>(() => c.WaitAsync(s_wait));

        Assert.Equal(["d"], await calls.NextAsync(2));
        Answer(calls, 2, ["d"]);
        Assert.Equal("D", await d.WaitAsync(s_wait));
    }

    [Fact]
    public async Task A_call_that_returns_the_wrong_number_of_results_fails_its_items()
    {
        (JoinedCalls<string, string, string> joined, HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls, Task<string> first) = await BusyAsync();
        Task<string> b = joined.CallAsync("k", "b", Via(calls));
        Task<string> c = joined.CallAsync("k", "c", Via(calls));
        Answer(calls, 0, ["a"]);
        await first.WaitAsync(s_wait);
        Assert.Equal(2, (await calls.NextAsync(1)).Count);
        calls.Complete(1, ["B"]);
        Assert.Contains("returned 1 results", (await Assert.ThrowsAsync<InvalidOperationException>(() => b.WaitAsync(s_wait))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => c.WaitAsync(s_wait));
    }

    [Fact]
    public async Task Other_keys_and_items_that_may_not_wait_go_at_once()
    {
        (JoinedCalls<string, string, string> joined, HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls, Task<string> first) = await BusyAsync();

        Task<string> other = joined.CallAsync("other", "b", Via(calls));
        Assert.Equal(["b"], await calls.NextAsync(1));
        Task<string> urgent = joined.CallAsync("k", "c", Via(calls), mayWait: false);
        Assert.Equal(["c"], await calls.NextAsync(2));
        Assert.Equal(2, joined.LaneCount);

        Answer(calls, 1, ["b"]);
        Answer(calls, 2, ["c"]);
        Assert.Equal(["B", "C"], await Task.WhenAll(other, urgent).WaitAsync(s_wait));
        Assert.False(first.IsCompleted);
        Answer(calls, 0, ["a"]);
        await first.WaitAsync(s_wait);
        Assert.Equal(0, joined.LaneCount); // idle lanes are dropped
    }

    // Many callers on a few keys, calls that take a moment: every item gets its own result, a key never has more calls in
    // flight than allowed (lanes dropped and made again while callers race for them included), and no lane is left.
    [Fact]
    public async Task Under_contention_every_item_gets_its_result_and_idle_lanes_are_dropped()
    {
        JoinedCalls<int, int, int> joined = new(maxSize: 8, callsInFlight: 1, static _ => 1, static (_, _) => true);
        int[] inFlight = new int[3];
        int overlaps = 0;
        async Task<IReadOnlyList<int>> CallAsync(IReadOnlyList<int> items)
        {
            int key = items[0] % 3;
            if (Interlocked.Increment(ref inFlight[key]) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            await Task.Delay(Random.Shared.Next(0, 2));
            Interlocked.Decrement(ref inFlight[key]);
            return [.. items.Select(i => i * 10)];
        }

        int[] results = await Task.WhenAll(Enumerable.Range(0, 3_000).Select(i => Task.Run(async () =>
        {
            if (i % 7 == 0)
            {
                await Task.Yield();
            }

            return await joined.CallAsync(i % 3, i, CallAsync);
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => i * 10), results);
        Assert.Equal(0, overlaps);

        // A joined call's items complete just before its lane is let go: polled, within a bound.
        long deadline = Environment.TickCount64 + (long)s_wait.TotalMilliseconds;
        while (joined.LaneCount > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Equal(0, joined.LaneCount);
    }

    [Fact]
    public async Task Two_calls_in_flight_let_a_second_item_go_at_once()
    {
        JoinedCalls<string, string, string> joined = NewCalls(callsInFlight: 2);
        HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls = new();
        Task<string> a = joined.CallAsync("k", "a", Via(calls));
        Task<string> b = joined.CallAsync("k", "b", Via(calls));
        await calls.NextAsync(1);
        Task<string> c = joined.CallAsync("k", "c", Via(calls));
        Assert.Equal(2, calls.Count);

        Answer(calls, 1, ["b"]);
        Assert.Equal("B", await b.WaitAsync(s_wait));
        Assert.Equal(["c"], await calls.NextAsync(2));
        Answer(calls, 0, ["a"]);
        Answer(calls, 2, ["c"]);
        Assert.Equal(["A", "C"], await Task.WhenAll(a, c).WaitAsync(s_wait));
    }

    [Fact]
    public async Task An_item_that_went_beside_the_calls_does_not_start_waiting_items_over_the_bound()
    {
        // One call in flight, an item waiting, and an item that may not wait sent beside them (two in flight): when the
        // latter returns, the waiting item still waits for the first call, so the lane never runs two joined calls.
        (JoinedCalls<string, string, string> joined, HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls, Task<string> first) = await BusyAsync();
        Task<string> waiting = joined.CallAsync("k", "b", Via(calls));
        Task<string> beside = joined.CallAsync("k", "p", Via(calls), mayWait: false);
        Assert.Equal(["p"], await calls.NextAsync(1));

        Answer(calls, 1, ["p"]);
        Assert.Equal("P", await beside.WaitAsync(s_wait));
        await Task.Delay(50); // room for a wrongly started call to show
        Assert.Equal(2, calls.Count);

        Answer(calls, 0, ["a"]);
        Assert.Equal(["b"], await calls.NextAsync(2));
        Answer(calls, 2, ["b"]);
        Assert.Equal(["A", "B"], await Task.WhenAll(first, waiting).WaitAsync(s_wait));
        Assert.Equal(0, joined.LaneCount);
    }

    [Fact]
    public async Task A_join_rule_that_throws_leaves_no_item_waiting()
    {
        // The rules run under the lane's lock when a call returns: one that throws for an item must not strand it or the
        // items behind it. The item is taken as not joining, so it goes first in the next call, without the rule.
        JoinedCalls<string, string, string> joined = new(100, 1, static item => item == "bad-size" ? throw new InvalidOperationException("size") : item.Length, static (taken, next) => next == "boom" ? throw new InvalidOperationException("rule") : true);
        HeldCalls<IReadOnlyList<string>, IReadOnlyList<string>> calls = new();
        Task<string> first = joined.CallAsync("k", "a", Via(calls));
        Assert.Equal(["a"], await calls.NextAsync(0));
        Task<string>[] later = [.. new[] { "b", "boom", "c", "bad-size", "d" }.Select(item => joined.CallAsync("k", item, Via(calls)))];

        Answer(calls, 0, ["a"]);
        IReadOnlyList<string> second = await calls.NextAsync(1);
        Assert.Equal(["b"], second);
        Answer(calls, 1, second);
        IReadOnlyList<string> third = await calls.NextAsync(2);
        Assert.Equal(["boom", "c"], third);
        Answer(calls, 2, third);
        IReadOnlyList<string> fourth = await calls.NextAsync(3);
        Assert.Equal(["bad-size"], fourth); // its size unknown: taken as the whole bound, so nothing joins it
        Answer(calls, 3, fourth);
        IReadOnlyList<string> fifth = await calls.NextAsync(4);
        Assert.Equal(["d"], fifth);
        Answer(calls, 4, fifth);

        Assert.Equal("A", await first.WaitAsync(s_wait));
        Assert.Equal(["B", "BOOM", "C", "BAD-SIZE", "D"], await Task.WhenAll(later).WaitAsync(s_wait));
        Assert.Equal(0, joined.LaneCount);
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NewCalls(maxSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewCalls(callsInFlight: 0));
    }
}
